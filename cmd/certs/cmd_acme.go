package main

import (
	"context"
	"flag"
	"time"
)

// orderFlags are the flags of obtain and renew.
type orderFlags struct {
	req       orderRequest
	credsFile string
}

func (o *orderFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.req.challenge, "challenge", "", "http-01, tls-alpn-01, dns-01, dns-account-01 or dns-persist-01 (default: http-01, dns-01 for wildcards)")
	fs.StringVar(&o.req.keyType, "key-type", "", "key of the certificate: ec256 (default), ec384, rsa2048 or rsa4096")
	fs.StringVar(&o.req.altKeyType, "alt-key-type", "", "also get a certificate with a key of the other family (e.g. rsa2048 beside ec256), for old clients")
	fs.StringVar(&o.req.httpAddr, "http-addr", "", "answer HTTP-01 on this `address` while ordering (e.g. :80); without it, whatever serves port 80 from the same store answers (certs serve)")
	fs.StringVar(&o.req.tlsAddr, "tls-addr", "", "answer TLS-ALPN-01 on this `address` while ordering (e.g. :443)")
	fs.StringVar(&o.req.dnsProvider, "dns-provider", "", "DNS-01 provider `name`: cloudflare, digitalocean, godaddy, route53, gcloud; kept (its credentials sealed) for renewals")
	fs.StringVar(&o.credsFile, "dns-credentials-file", "", "`file` of the DNS provider's credentials: KEY=VALUE lines or a JSON object (never printed)")
}

// request checks the flags and reads the credentials.
func (o *orderFlags) request(s *settings) (*orderRequest, error) {
	if s.server != "" && (o.req.httpAddr != "" || o.req.tlsAddr != "") {
		return nil, usagef("--http-addr and --tls-addr answer challenges locally; with --server, the server answers them")
	}
	if err := oneOf("challenge", o.req.challenge, "http-01", "tls-alpn-01", "dns-01", "dns-account-01", "dns-persist-01"); err != nil {
		return nil, err
	}
	for name, kt := range map[string]string{"key-type": o.req.keyType, "alt-key-type": o.req.altKeyType} {
		if err := oneOf(name, kt, "ec256", "ec384", "rsa2048", "rsa4096"); err != nil {
			return nil, err
		}
	}
	creds, err := readCredentials(o.credsFile)
	if err != nil {
		return nil, err
	}
	if creds != nil && o.req.dnsProvider == "" {
		return nil, usagef("--dns-credentials-file needs --dns-provider: name the provider they belong to")
	}
	o.req.dnsCredentials = creds
	return &o.req, nil
}

func obtainCommand() command {
	return command{
		name: "obtain", args: "HOSTNAME [flags]", summary: "obtain an ACME certificate for a hostname",
		help: `Order an ACME certificate for a hostname (and --alt-name names), prove
control of each name with the challenge, store and serve the certificate,
and renew it automatically while a 'certs serve' runs on the store.
Progress (account, order, each challenge, validation, issued) goes to
stderr. A challenge the CA could not validate exits with 4 and says what
to fix; the order stays pending and is retried by 'certs serve'.
Remotely (--server) the server places the order in the background; obtain
follows it until issued unless --wait=false.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			var o orderFlags
			var alt listFlag
			workFlags(fs, s)
			s.acmeFlags(fs)
			o.register(fs)
			fs.Var(&alt, "alt-name", "a further `name` on the certificate; repeatable")
			noAutoRenew := fs.Bool("no-auto-renew", false, "do not renew this certificate automatically")
			fs.BoolVar(&o.req.dryRun, "dry-run", false, "check everything (names, challenge, DNS provider, the CA's account) but order nothing")
			fs.BoolVar(&o.req.wait, "wait", true, "with --server: wait until the certificate is issued")
			fs.DurationVar(&o.req.timeout, "timeout", 5*time.Minute, "with --server and --wait: give up waiting after this long")
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 1, 1, "HOSTNAME"); err != nil {
					return err
				}
				req, err := o.request(s)
				if err != nil {
					return err
				}
				req.altNames, req.profile = alt, s.profile
				if *noAutoRenew {
					off := false
					req.autoRenew = &off
				}
				return withBackend(ctx, c, true, func(b backend) (*hostResult, error) { return b.Obtain(ctx, args[0], req) })
			}
		},
	}
}

func renewCommand() command {
	return command{
		name: "renew", args: "HOSTNAME [flags]", summary: "renew a hostname's ACME certificate now",
		help: `Renew a hostname's ACME certificate now, with the options it was obtained
with, or the ones given (kept for later renewals). The new certificate is
served as soon as it is issued.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			var o orderFlags
			workFlags(fs, s)
			s.acmeFlags(fs)
			o.register(fs)
			autoRenew := fs.String("auto-renew", "", "switch automatic renewal on or off")
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 1, 1, "HOSTNAME"); err != nil {
					return err
				}
				if err := oneOf("auto-renew", *autoRenew, "on", "off"); err != nil {
					return err
				}
				req, err := o.request(s)
				if err != nil {
					return err
				}
				req.profile = s.profile
				if *autoRenew != "" {
					on := *autoRenew == "on"
					req.autoRenew = &on
				}
				return withBackend(ctx, c, true, func(b backend) (*hostResult, error) { return b.Renew(ctx, args[0], req) })
			}
		},
	}
}

func revokeCommand() command {
	return command{
		name: "revoke", args: "HOSTNAME [flags]", summary: "revoke a hostname's ACME certificate",
		help: `Revoke a hostname's ACME certificate at the CA. Irreversible: the
certificate is no longer served (a custom one is, if the hostname has
one) nor renewed; obtain a new one with 'certs obtain'.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			workFlags(fs, s)
			s.acmeFlags(fs)
			reason := fs.String("reason", "unspecified", "RFC 5280 reason: unspecified, key_compromise, affiliation_changed, superseded or cessation_of_operation")
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 1, 1, "HOSTNAME"); err != nil {
					return err
				}
				if _, err := parseReason(*reason); err != nil {
					return err
				}
				return withBackend(ctx, c, true, func(b backend) (*hostResult, error) { return b.Revoke(ctx, args[0], *reason) })
			}
		},
	}
}
