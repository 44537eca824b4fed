package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/pebbletest"
)

// binary is the certs binary the tests run, built by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "certs-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "certs")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the certs binary:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// cleanEnv is the environment without CERTS_* variables, plus extra.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CERTS_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// certsRun runs the binary with args and the environment env (nil: a
// clean one), feeding stdin.
func certsRun(t *testing.T, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	if env == nil {
		env = cleanEnv()
	}
	cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run certs %v: %v", args, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errOut.String()}
}

// certsOK runs the binary with a clean environment and wants exit code want.
func certsOK(t *testing.T, want int, args ...string) result {
	t.Helper()
	r := certsRun(t, nil, "", args...)
	require.Equal(t, want, r.code, "certs %s\n%s", strings.Join(args, " "), r)
	return r
}

// decode parses the JSON stdout of r into a new T.
func decode[T any](t *testing.T, r result) *T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v), r.stdout)
	return &v
}

// acmeEnv is a Pebble and the flags that point the CLI at it.
type acmeEnv struct {
	ca    *pebbletest.Server
	flags []string
	// httpAddr is the loopback address where Pebble sends HTTP-01
	// requests; nothing listens there until the CLI does.
	httpAddr string
}

// startCA starts a Pebble for t and frees its HTTP-01 port for the CLI.
func startCA(t *testing.T) *acmeEnv {
	t.Helper()
	ca := pebbletest.Start(t, pebbletest.Options{})
	require.NoError(t, ca.HTTPListener.Close())
	roots := filepath.Join(t.TempDir(), "pebble-roots.pem")
	require.NoError(t, os.WriteFile(roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.TLSCertificate.Raw}), 0o644))
	return &acmeEnv{
		ca:       ca,
		httpAddr: net.JoinHostPort("127.0.0.1", fmt.Sprint(ca.HTTPPort)),
		flags: []string{"--directory", ca.DirectoryURL, "--ca-roots", roots, "--agree-tos",
			"--dns-resolver", ca.DNSAddr, "--profile", "classic", "--email", "ops@example.com"},
	}
}

// with is args followed by the CA's flags.
func (e *acmeEnv) with(args ...string) []string { return append(args, e.flags...) }

// writeFile writes data to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	return p
}
