package deployhook_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/store"
)

// env is a Manager trusting a local CA, a Hook writing under dir, and the
// file its command appends one line per run to.
type env struct {
	t    *testing.T
	ctx  context.Context
	ca   *certstest.LocalCA
	m    *certs.Manager
	h    *deployhook.Hook
	dir  string
	out  string // what the command wrote
	logs *syncBuffer
}

// recordCommand appends the changes it is told of to out, one line a run.
func recordCommand(out string) string {
	return `printf '%s|%s|%s|%s\n' "$CERTS_RENEWED_DOMAINS" "$CERTS_REMOVED_DOMAINS" "$CERTS_LINEAGE" "$CERTS_LIVE_DIR" >> '` + out + `'`
}

func newEnv(t *testing.T, st store.Store, ca *certstest.LocalCA, dir string, cfg deployhook.Config) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), ca: ca, dir: dir, out: filepath.Join(t.TempDir(), "runs"), logs: &syncBuffer{}}
	var err error
	e.m, err = certs.New(certs.Config{Store: st, Roots: ca.Roots(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	cfg.Manager, cfg.Dir = e.m, dir
	if cfg.Command == "" {
		cfg.Command = recordCommand(e.out)
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(e.logs, nil))
	e.h, err = deployhook.New(cfg)
	require.NoError(t, err)
	t.Cleanup(e.h.Close)
	return e
}

func newCA(t *testing.T) *certstest.LocalCA {
	ca, err := certstest.NewLocalCA()
	require.NoError(t, err)
	return ca
}

func (e *env) importCert(host string) certs.Input {
	e.t.Helper()
	in, err := e.ca.Issue(90*24*time.Hour, host)
	require.NoError(e.t, err)
	_, err = e.m.Import(e.ctx, host, in, certs.ImportOptions{})
	require.NoError(e.t, err)
	return in
}

// runs returns the lines the command wrote, one per run.
func (e *env) runs() []string {
	b, err := os.ReadFile(e.out)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(e.t, err)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func (e *env) live(host string) string { return filepath.Join(e.dir, "live", host) }

// requireLineage checks host's files: the certificate and key of in,
// a key pair that loads, the modes, and the link to a version directory.
func (e *env) requireLineage(host string, in certs.Input) {
	e.t.Helper()
	root, err := os.OpenRoot(e.live(host))
	require.NoError(e.t, err)
	defer root.Close()
	read := func(name string) []byte {
		b, err := root.ReadFile(name)
		require.NoError(e.t, err)
		return b
	}
	require.Equal(e.t, string(in.PrivateKey), string(read("privkey.pem")))
	require.True(e.t, bytes.HasPrefix(read("fullchain.pem"), bytes.TrimSpace(read("cert.pem"))))
	_, err = tls.X509KeyPair(read("fullchain.pem"), read("privkey.pem"))
	require.NoError(e.t, err)
	for name, mode := range map[string]os.FileMode{"privkey.pem": 0o600, "fullchain.pem": 0o644, "cert.pem": 0o644, "chain.pem": 0o644} {
		fi, err := root.Stat(name)
		require.NoError(e.t, err)
		require.Equal(e.t, mode, fi.Mode().Perm(), name)
	}
	target, err := os.Readlink(e.live(host))
	require.NoError(e.t, err)
	require.True(e.t, strings.HasPrefix(target, filepath.Join("..", "archive", host, "v-")), target)
	fi, err := os.Stat(e.live(host))
	require.NoError(e.t, err)
	require.Equal(e.t, os.FileMode(0o700), fi.Mode().Perm())
}

func (e *env) versions(host string) int {
	entries, err := os.ReadDir(filepath.Join(e.dir, "archive", host))
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(e.t, err)
	return len(entries)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
