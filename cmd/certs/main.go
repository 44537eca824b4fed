package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	legolog "github.com/go-acme/lego/v4/log"

	"github.com/certs-dev/certs/acme"
)

func main() {
	// lego's own logger is process-wide: its few lines are dropped (the
	// library logs each step itself, see progress.go).
	legolog.Logger = acme.LegoLogger(slog.New(slog.DiscardHandler))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal kills at once
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand of certs.
type command struct {
	name, args, summary string
	// help says what the command does, after its usage line.
	help string
	// setup registers the command's flags on fs and returns its body.
	setup func(fs *flag.FlagSet, s *settings) runFunc
}

// runFunc is the body of a command, given its positional arguments.
type runFunc func(ctx context.Context, c *cli, args []string) error

// cli is what a running command writes to and works with.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	s              *settings
	p              *progress
	// printed is set once a result is on stdout: a failure then prints no
	// JSON error there (stdout holds one JSON document).
	printed bool
}

// open returns the backend of the settings: --server, else the local
// store (with the ACME issuer when withIssuer).
func (c *cli) open(ctx context.Context, withIssuer bool) (backend, error) {
	if c.s.server != "" {
		return openRemote(c.s, c.p)
	}
	return openLocal(ctx, c.s, c.p, withIssuer)
}

// output prints the result: native as JSON with --json, else human.
func (c *cli) output(native any, human func(io.Writer) error) error {
	c.printed = true
	if c.s.json {
		return printJSON(c.stdout, native)
	}
	return human(c.stdout)
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		return help(args[1:], stdout, stderr)
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "certs: unknown command %q\n\n", name)
		usage(stderr)
		return exitUsage
	}
	fs := flag.NewFlagSet("certs "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s := &settings{}
	body := cmd.setup(fs, s)
	pos, err := parseArgs(fs, args[1:])
	switch {
	case isHelp(err):
		commandHelp(stdout, cmd, fs)
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "certs %s: %v\nRun `certs %s -h` for its usage.\n", name, err, name)
		return exitUsage
	}
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, s: s, p: newProgress(stderr, s)}
	return c.finish(ctx, name, body(ctx, c, pos))
}

// finish reports err and returns the exit code: the message on stderr
// and, with --json, {"error": {...}} on stdout unless a result is there.
func (c *cli) finish(ctx context.Context, name string, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if ctx.Err() != nil {
		code, err = exitInterrupted, fmt.Errorf("interrupted: %w", err)
	}
	msg := strings.TrimPrefix(err.Error(), "certs: ")
	fmt.Fprintf(c.stderr, "certs %s: %s\n", name, msg)
	if code == exitUsage {
		fmt.Fprintf(c.stderr, "Run `certs %s -h` for its usage.\n", name)
	}
	if c.s.json && !c.printed {
		_ = printJSON(c.stdout, map[string]any{"error": map[string]any{
			"exit_code": code, "code": problemCode(err), "message": msg,
		}})
	}
	return code
}

// help prints the usage of certs, or of a command.
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stdout)
		return exitOK
	}
	cmd, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "certs help: unknown command %q\n", args[0])
		return exitUsage
	}
	fs := flag.NewFlagSet("certs "+cmd.name, flag.ContinueOnError)
	cmd.setup(fs, &settings{})
	commandHelp(stdout, cmd, fs)
	return exitOK
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// commandHelp prints a command's usage, description and flags.
func commandHelp(w io.Writer, cmd command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "%s\n\n%s\n", strings.TrimSpace("usage: certs "+cmd.name+" "+cmd.args), strings.TrimSpace(cmd.help))
	if flags := fmtFlags(fs); flags != "" {
		fmt.Fprintf(w, "\nflags:\n%s", flags)
	}
	fmt.Fprintf(w, "\n%s", exitCodesHelp)
}

// usage prints the commands, exit codes and environment.
func usage(w io.Writer) {
	fmt.Fprint(w, "usage: certs <command> [arguments] [flags]\n\n"+
		"The operator's tool of the certs library: manage the certificates of a\n"+
		"store directory, or of a `certs serve` through its API (--server).\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun `certs <command> -h` (or `certs help <command>`) for its flags.\n\n", exitCodesHelp, "\n", envHelp)
}

const exitCodesHelp = `exit codes:
  0    success
  1    failure (the CA, the server or the store could not be reached, I/O, ...)
  2    usage: bad command line or flag value, or a setting the operation needs
       is missing (--agree-tos, a DNS provider, CERTS_API_TOKEN)
  3    not found: no such hostname, or no certificate of the asked source
  4    validation failed: an upload that does not validate (import, validate),
       a challenge the CA could not validate (obtain, renew), DNS not as
       required (check)
  5    rate limited by the CA; retry after the time shown
  6    conflict: the name is held by another hostname or tenant, in use, or
       already revoked
  7    the server refused the API token (--server)
  130  interrupted (SIGINT, SIGTERM)
`

const envHelp = `environment (flags override it):
  CERTS_STORE, CERTS_ENCRYPTION_KEY_FILE, CERTS_TENANT    the local store
  CERTS_DIRECTORY, CERTS_STAGING, CERTS_EMAIL, CERTS_AGREE_TOS, CERTS_PROFILE,
  CERTS_CA_ROOTS, CERTS_DNS_RESOLVER, CERTS_EAB_KID       the ACME CA
  CERTS_EAB_HMAC_KEY                                      the EAB key (secret)
  CERTS_EXPECT_A, CERTS_EXPECT_AAAA, CERTS_EXPECT_CNAME,
  CERTS_ACME_CHALLENGE_ZONE, CERTS_DNS_PORT               what the DNS should hold
  CERTS_SERVER, CERTS_API_TOKEN                           remote mode; the token
                                                          serve accepts
  CERTS_PKCS12_PASSWORD                                   PKCS#12 password
`
