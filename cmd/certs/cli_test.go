package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/store"
)

// TestHelp: every command prints its help with -h, --help and `certs
// help <command>`, exits 0 and does nothing else (demo -h runs no demo).
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands() {
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "--help"}, {"help", c.name}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				var out, errOut bytes.Buffer
				start := time.Now()
				require.Equal(t, exitOK, run(t.Context(), args, nil, &out, &errOut), errOut.String())
				require.True(t, strings.HasPrefix(out.String(), "usage: certs "+c.name), out.String())
				require.Contains(t, out.String(), "exit codes:")
				require.Empty(t, errOut.String())
				require.Less(t, time.Since(start), time.Second, "help only")
			})
		}
	}
	r := certsOK(t, exitOK, "demo", "-h")
	require.NotContains(t, r.stdout, "ACME directory", "the demo did not run")
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		says string
	}{
		{nil, "usage: certs <command>"},
		{[]string{"nope"}, `unknown command "nope"`},
		{[]string{"help", "nope"}, `unknown command "nope"`},
		{[]string{"show"}, "missing HOSTNAME"},
		{[]string{"list", "--sort", "size"}, "--sort must be one of name, expiry, created"},
		{[]string{"export", "example.com"}, "missing --dir"},
		{[]string{"validate"}, "give the certificate"},
		{[]string{"validate", "--cert", "a", "--pkcs12", "b"}, "not both"},
		{[]string{"serve", "--api-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0", "--http-addr", ""}, "CERTS_API_TOKEN"},
		{[]string{"obtain", "example.com", "--server", "http://127.0.0.1:1", "--http-addr", ":80"}, "with --server, the server answers them"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			args := append(tc.args, "--store", t.TempDir())
			if tc.args == nil || tc.args[0] == "nope" || tc.args[0] == "help" {
				args = tc.args
			}
			require.Equal(t, exitUsage, run(t.Context(), args, nil, &out, &errOut), out.String()+errOut.String())
			require.Contains(t, errOut.String(), tc.says)
		})
	}
}

// TestBinaryLinksNoTesting: the shipped binary does not link the testing
// package (Pebble for the demo comes from internal/pebblecore).
func TestBinaryLinksNoTesting(t *testing.T) {
	t.Parallel()
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	for _, dep := range strings.Fields(string(out)) {
		require.NotEqual(t, "testing", dep)
		require.False(t, strings.HasPrefix(dep, "testing/"), dep)
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	problem := func(code string, status int) error { return &api.Problem{Code: code, Status: status} }
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"plain", errors.New("disk on fire"), exitFailure},
		{"usage", usagef("bad"), exitUsage},
		{"invalid hostname", fmt.Errorf("x: %w", certs.ErrInvalidHostname), exitUsage},
		{"no issuer", certs.ErrNoIssuer, exitUsage},
		{"bad key file", &store.KeyError{ID: "k", Reason: "short"}, exitUsage},
		{"not found", fmt.Errorf("get: %w", certs.ErrNotFound), exitNotFound},
		{"no certificate of the source", certs.ErrNoCertificateForSource, exitNotFound},
		{"key mismatch", fmt.Errorf("import: %w", errors.Join(certs.ErrKeyMismatch)), exitInvalid},
		{"expired", certs.ErrExpired, exitInvalid},
		{"challenge failed", &certs.ValidationError{}, exitInvalid},
		{"rate limited", &certs.RateLimitError{RetryAfter: time.Now()}, exitRateLimited},
		{"name conflict", &certs.NameConflictError{Name: "a", HeldBy: "b"}, exitConflict},
		{"already revoked", certs.ErrAlreadyRevoked, exitConflict},
		{"remote not found", problem("not_found", 404), exitNotFound},
		{"remote key mismatch", problem("key_mismatch", 422), exitInvalid},
		{"remote validation failed", problem("validation_failed", 422), exitInvalid},
		{"remote rate limited", problem("rate_limited", 429), exitRateLimited},
		{"remote hostname taken", problem("hostname_taken", 409), exitConflict},
		{"remote bad token", problem("unauthenticated", 401), exitUnauthorized},
		{"remote bad request", problem("invalid_field", 400), exitUsage},
		{"remote internal", problem("internal_error", 500), exitFailure},
		{"interrupted", context.Canceled, exitInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, exitCode(tc.err)) })
	}
}

// TestProblemCode: local errors get the API's codes.
func TestProblemCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("get x: %w", certs.ErrNotFound), "not_found"},
		{fmt.Errorf("import: %w", errors.Join(fmt.Errorf("%w: detail", certs.ErrHostnameMismatch), certs.ErrExpired)), "hostname_mismatch"},
		{&certs.ValidationError{TimedOut: true}, "validation_timeout"},
		{&certs.ValidationError{}, "validation_failed"},
		{&certs.NameConflictError{Name: "a", HeldBy: "b"}, "name_conflict"},
		{&api.Problem{Code: "hostname_taken"}, "hostname_taken"},
		{errors.New("other"), ""},
	} {
		require.Equal(t, tc.want, problemCode(tc.err), tc.err)
	}
}

func TestParseArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args, pos []string
		json      bool
	}{
		{[]string{"a.example", "--json"}, []string{"a.example"}, true},
		{[]string{"--json", "a.example"}, []string{"a.example"}, true},
		{[]string{"a", "--json", "b"}, []string{"a", "b"}, true},
		{[]string{"--", "--json"}, []string{"--json"}, false},
		{nil, nil, false},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		j := fs.Bool("json", false, "")
		pos, err := parseArgs(fs, tc.args)
		require.NoError(t, err)
		require.Equal(t, tc.pos, pos, tc.args)
		require.Equal(t, tc.json, *j, tc.args)
	}
}

func TestReadKeys(t *testing.T) {
	t.Parallel()
	const secret = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	for _, tc := range []struct {
		name, content string
		perm          os.FileMode
		ids           []string
		err           string
	}{
		{"bare secret", secret + "\n", 0o600, []string{"default"}, ""},
		{"rotation", "# current first\nk2 " + secret + "\nk1 " + secret + "\n", 0o600, []string{"k2", "k1"}, ""},
		{"readable by every user", secret, 0o644, nil, "chmod 600"},
		{"readable by a group", secret + "\n", 0o640, []string{"default"}, ""},
		{"empty", "# nothing\n", 0o600, nil, "holds no key"},
		{"not base64", "k1 !!!\n", 0o600, nil, "line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "keys")
			require.NoError(t, os.WriteFile(p, []byte(tc.content), tc.perm))
			keys, err := readKeys(p)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				require.Equal(t, exitUsage, exitCode(err))
				require.NotContains(t, err.Error(), "!!!", "no secret in errors")
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, k := range keys {
				ids = append(ids, k.ID)
			}
			require.Equal(t, tc.ids, ids)
		})
	}
}

func TestReadCredentials(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		content string
		want    map[string]string
	}{
		{"# cloudflare\napiToken = s3cret\n", map[string]string{"apiToken": "s3cret"}},
		{`{"apiKey": "k", "apiSecret": "s"}`, map[string]string{"apiKey": "k", "apiSecret": "s"}},
	} {
		got, err := readCredentials(writeFile(t, dir, "c", []byte(tc.content)))
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
	_, err := readCredentials(writeFile(t, dir, "bad", []byte("apiToken s3cret\n")))
	require.ErrorContains(t, err, "want KEY=VALUE")
	require.NotContains(t, err.Error(), "s3cret")
}

// TestInterrupted: SIGINT while a command waits exits with 130.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	cmd := exec.Command(binary, "list", "--server", srv.URL)
	cmd.Env = cleanEnv("CERTS_API_TOKEN=" + testToken)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	require.NoError(t, cmd.Start())
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the request did not arrive")
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, exitInterrupted, exit.ExitCode(), errOut.String())
	require.Contains(t, errOut.String(), "interrupted")
}

// TestPostgresUnreachable: a postgres:// store that cannot be reached is
// a failure that says so, without the DSN's password.
func TestPostgresUnreachable(t *testing.T) {
	t.Parallel()
	r := certsOK(t, exitFailure, "list", "--store", "postgres://certs:s3cret-pw@127.0.0.1:1/certs?connect_timeout=5")
	require.Contains(t, r.stderr, "cannot connect to PostgreSQL")
	require.NotContains(t, r.stderr, "s3cret-pw")
}
