package main

import (
	"errors"
	"flag"
	"os"
	"strconv"
	"strings"
)

// settings are every flag a command may take; each command registers the
// groups it uses. Defaults come from the environment (CERTS_*), flags
// override them.
type settings struct {
	// Local store.
	storeDir, keyFile, tenant string
	// ACME.
	directory, email, caRoots, profile, eabKID string
	staging, agreeTOS                          bool
	resolvers                                  listFlag
	// What the DNS of the hostnames should hold (check, and the API's
	// dns_requirements).
	expectA, expectAAAA        listFlag
	expectCNAME, challengeZone string
	dnsPort                    string
	// Remote mode.
	server string
	// Output.
	json, quiet, verbose bool
}

// listFlag is a repeatable flag (also comma-separated).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// env is an environment variable's value, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envBool is a boolean environment variable ("1", "true", ...), or false.
func envBool(name string) bool {
	b, _ := strconv.ParseBool(os.Getenv(name))
	return b
}

// storeFlags are the flags of commands that work on a local store.
func (s *settings) storeFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.storeDir, "store", env("CERTS_STORE", ""), "store `directory`, or a postgres:// URL (keep its password in CERTS_STORE or PGPASSWORD, out of ps) (env CERTS_STORE; default $XDG_DATA_HOME/certs, else ~/.local/share/certs)")
	fs.StringVar(&s.keyFile, "encryption-key-file", env("CERTS_ENCRYPTION_KEY_FILE", ""), "`file` of keys sealing private keys at rest: lines \"[id] base64-secret\", the first one current (env CERTS_ENCRYPTION_KEY_FILE)")
	fs.StringVar(&s.tenant, "tenant", env("CERTS_TENANT", "default"), "tenant given to hostnames this command adds, so that the API of `certs serve` shows them; empty for none (env CERTS_TENANT)")
}

// acmeFlags are the flags of commands that talk to the ACME CA.
func (s *settings) acmeFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.directory, "directory", env("CERTS_DIRECTORY", ""), "ACME directory `URL` (env CERTS_DIRECTORY; default Let's Encrypt)")
	fs.BoolVar(&s.staging, "staging", envBool("CERTS_STAGING"), "use Let's Encrypt's staging CA (env CERTS_STAGING)")
	fs.StringVar(&s.email, "email", env("CERTS_EMAIL", ""), "contact `address` of the ACME account (env CERTS_EMAIL)")
	fs.BoolVar(&s.agreeTOS, "agree-tos", envBool("CERTS_AGREE_TOS"), "agree to the CA's terms of service; required to obtain, renew or revoke (env CERTS_AGREE_TOS)")
	fs.StringVar(&s.caRoots, "ca-roots", env("CERTS_CA_ROOTS", ""), "PEM `file` of roots trusted for the CA's API and --server, instead of the system roots (env CERTS_CA_ROOTS)")
	fs.Var(&s.resolvers, "dns-resolver", "DNS resolver `host:port` for DNS-01, CAA and check lookups; repeatable (env CERTS_DNS_RESOLVER)")
	fs.StringVar(&s.profile, "profile", env("CERTS_PROFILE", ""), "ACME `profile` (\"classic\", \"shortlived\", ...; default the CA's) (env CERTS_PROFILE)")
	fs.StringVar(&s.eabKID, "eab-kid", env("CERTS_EAB_KID", ""), "External Account Binding key `id`; the HMAC key is read from CERTS_EAB_HMAC_KEY (env CERTS_EAB_KID)")
	if v := os.Getenv("CERTS_DNS_RESOLVER"); v != "" {
		_ = s.resolvers.Set(v)
	}
}

// dnsFlags say what the hostnames' DNS should hold: the records check
// wants, and the requirements shown by show and the API.
func (s *settings) dnsFlags(fs *flag.FlagSet) {
	fs.Var(&s.expectA, "expect-a", "`IPv4` address the hostnames should point to; repeatable (env CERTS_EXPECT_A)")
	fs.Var(&s.expectAAAA, "expect-aaaa", "`IPv6` address the hostnames should point to; repeatable (env CERTS_EXPECT_AAAA)")
	fs.StringVar(&s.expectCNAME, "expect-cname", env("CERTS_EXPECT_CNAME", ""), "`target` the hostnames may CNAME to instead (env CERTS_EXPECT_CNAME)")
	fs.StringVar(&s.challengeZone, "acme-challenge-zone", env("CERTS_ACME_CHALLENGE_ZONE", ""), "`zone` _acme-challenge may be delegated to (env CERTS_ACME_CHALLENGE_ZONE)")
	fs.StringVar(&s.dnsPort, "dns-port", env("CERTS_DNS_PORT", ""), "`port` of the authoritative nameservers check asks (default 53; for test setups)")
	for name, l := range map[string]*listFlag{"CERTS_EXPECT_A": &s.expectA, "CERTS_EXPECT_AAAA": &s.expectAAAA} {
		if v := os.Getenv(name); v != "" {
			_ = l.Set(v)
		}
	}
}

// remoteFlags are the flags of commands that may work on a server.
func (s *settings) remoteFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.server, "server", env("CERTS_SERVER", ""), "work on the certificate API at `URL` (certs serve --api-addr) instead of a local store; the token is read from CERTS_API_TOKEN (env CERTS_SERVER)")
}

// outputFlags are the flags of every command that prints a result.
func (s *settings) outputFlags(fs *flag.FlagSet) {
	fs.BoolVar(&s.json, "json", false, "print the result as JSON on stdout (progress stays on stderr)")
	fs.BoolVar(&s.quiet, "q", false, "print no progress lines")
	fs.BoolVar(&s.verbose, "v", false, "print every log line of the library on stderr")
}

// parseArgs parses flags placed before, between or after the positional
// arguments ("certs show example.com --json"); "--" ends the flags.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the number of positional arguments.
func wantArgs(pos []string, min, max int, what string) error {
	switch {
	case len(pos) < min:
		return usagef("missing %s", what)
	case len(pos) > max:
		return usagef("unexpected argument %q", pos[max])
	}
	return nil
}

// errHelp is returned when -h or --help was given: the help was printed.
var errHelp = flag.ErrHelp

func isHelp(err error) bool { return errors.Is(err, errHelp) }

// oneOf checks that v is empty or one of the allowed values.
func oneOf(flagName, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return usagef("--%s must be one of %s, not %q", flagName, strings.Join(allowed, ", "), v)
}

// fmtFlags is a helper for the usage text of one command.
func fmtFlags(fs *flag.FlagSet) string {
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(nil)
	return b.String()
}
