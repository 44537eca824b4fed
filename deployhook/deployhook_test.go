package deployhook_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/store"
)

// TestFilesFollowEveryChange: import, replace, remove the certificate,
// import again, remove the hostname: after each, the files are what the
// Manager serves (or gone), and the command ran once with the change in
// its environment; with nothing changed it does not run.
func TestFilesFollowEveryChange(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, store.NewMemory(), newCA(t), dir, deployhook.Config{})
	live := filepath.Join(dir, "live")
	lineage := live + "/a.example.com"

	first := e.importCert("a.example.com")
	r := e.h.Flush(e.ctx)
	require.NotNil(t, r)
	require.NoError(t, r.Err)
	require.Equal(t, []string{"a.example.com"}, r.Renewed)
	require.Equal(t, 0, r.ExitCode)
	e.requireLineage("a.example.com", first)
	require.Equal(t, []string{"a.example.com||" + lineage + "|" + live}, e.runs())
	require.Nil(t, e.h.Flush(e.ctx), "nothing changed: no run")

	var last certs.Input
	for range 3 {
		last = e.importCert("a.example.com")
		require.NoError(t, e.h.Flush(e.ctx).Err)
	}
	e.requireLineage("a.example.com", last)
	require.Equal(t, 2, e.versions("a.example.com"), "the current version and the previous one")
	require.Len(t, e.runs(), 4)

	_, err := e.m.RemoveCustom(e.ctx, "a.example.com") // the hostname stays, with nothing to serve
	require.NoError(t, err)
	r = e.h.Flush(e.ctx)
	require.Equal(t, []string{"a.example.com"}, r.Removed)
	require.NoFileExists(t, lineage)
	require.Zero(t, e.versions("a.example.com"))
	require.Equal(t, "|a.example.com||"+live, e.runs()[4])

	e.requireLineageAfter("*.example.com")
	require.NoError(t, e.m.Remove(e.ctx, "*.example.com"))
	require.Equal(t, []string{"*.example.com"}, e.h.Flush(e.ctx).Removed)
	require.NoFileExists(t, filepath.Join(live, "*.example.com"))
}

// requireLineageAfter imports host, flushes and checks its files.
func (e *env) requireLineageAfter(host string) {
	e.t.Helper()
	in := e.importCert(host)
	r := e.h.Flush(e.ctx)
	require.Equal(e.t, []string{host}, r.Renewed)
	e.requireLineage(host, in)
}

// TestSyncAfterRestart: changes made while no Hook ran (a replaced
// certificate, a removed hostname) are found by the next Hook's Sync and
// followed by one run.
func TestSyncAfterRestart(t *testing.T) {
	dir, ca, st := t.TempDir(), newCA(t), store.NewMemory()
	e := newEnv(t, st, ca, dir, deployhook.Config{})
	e.importCert("a.example.com")
	e.importCert("b.example.com")
	e.importCert("c.example.com")
	require.Equal(t, []string{"a.example.com", "b.example.com", "c.example.com"}, e.h.Flush(e.ctx).Renewed)
	e.h.Close()

	a := e.importCert("a.example.com") // nobody follows these
	require.NoError(t, e.m.Remove(e.ctx, "b.example.com"))

	e2 := newEnv(t, st, ca, dir, deployhook.Config{})
	require.NoError(t, e2.h.Sync(e2.ctx))
	r := e2.h.Flush(e2.ctx)
	require.Equal(t, []string{"a.example.com"}, r.Renewed)
	require.Equal(t, []string{"b.example.com"}, r.Removed)
	e2.requireLineage("a.example.com", a)
	require.NoFileExists(t, e2.live("b.example.com"))
	require.FileExists(t, filepath.Join(e2.live("c.example.com"), "privkey.pem"))
}

// TestNotOursIsLeftAlone: a live/<name> that is a directory of its own
// (certbot's, or Manager.Export's) is not replaced; the failure is
// reported and logged.
func TestNotOursIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, store.NewMemory(), newCA(t), dir, deployhook.Config{})
	require.NoError(t, os.MkdirAll(e.live("a.example.com"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(e.live("a.example.com"), "privkey.pem"), []byte("theirs"), 0o600))
	e.importCert("a.example.com")
	e.importCert("b.example.com")
	r := e.h.Flush(e.ctx)
	require.Equal(t, []string{"b.example.com"}, r.Renewed)
	require.Contains(t, r.Failed["a.example.com"], "not a symbolic link written by deployhook")
	b, err := os.ReadFile(filepath.Join(e.live("a.example.com"), "privkey.pem"))
	require.NoError(t, err)
	require.Equal(t, "theirs", string(b))
	require.Contains(t, e.logs.String(), "move it away")
}

// TestNewRefusesBadConfig: New says which field to fix.
func TestNewRefusesBadConfig(t *testing.T) {
	m, err := certs.New(certs.Config{Store: store.NewMemory()})
	require.NoError(t, err)
	tests := []struct {
		name string
		cfg  deployhook.Config
		want string
	}{
		{"no manager", deployhook.Config{Dir: "/etc/certs"}, "Manager is required"},
		{"relative dir", deployhook.Config{Manager: m, Dir: "certs"}, "absolute path"},
		{"negative timeout", deployhook.Config{Manager: m, Dir: "/etc/certs", Timeout: -1}, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := deployhook.New(tc.cfg)
			require.ErrorIs(t, err, deployhook.ErrInvalidConfig)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}
