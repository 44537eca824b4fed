package certs

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// eventually waits (bounded) until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		require.True(t, time.Now().Before(deadline), "never: %s", what)
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReplicasFollowTheStore: two Managers on one filesystem store (sealed
// with an encryption key); what one imports or removes, the other serves
// or stops serving with no call from the application, including a change
// made between the other's New and Start.
func TestReplicasFollowTheStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key, err := store.GenerateKey("k")
	require.NoError(t, err)
	ca := testpki.NewCA(t).Intermediate(t)
	replica := func() *Manager {
		fs, err := store.NewFS(dir)
		require.NoError(t, err)
		fs.PollInterval = 50 * time.Millisecond
		m, err := New(Config{Store: fs, EncryptionKey: &key, Roots: ca.Root().Pool(), Logger: quietLogger()})
		require.NoError(t, err)
		return m
	}
	a, b := replica(), replica()
	served := func(m *Manager, name string) *tls.Certificate {
		c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
		if err != nil {
			return nil
		}
		return c
	}
	early := ca.Leaf(t, []string{"early.example.com"}, testpki.LeafOptions{})
	_, err = a.Import(ctx, "early.example.com", input(early), ImportOptions{})
	require.NoError(t, err)
	require.NoError(t, b.Start(ctx))
	t.Cleanup(b.Stop)
	eventually(t, "b serves what a stored between b's New and Start", func() bool { return served(b, "early.example.com") != nil })

	l := ca.Leaf(t, []string{"x.example.com"}, testpki.LeafOptions{})
	_, err = a.Import(ctx, "x.example.com", input(l), ImportOptions{})
	require.NoError(t, err)
	eventually(t, "b serves a's import", func() bool {
		c := served(b, "x.example.com")
		return c != nil && string(c.Leaf.Raw) == string(l.Cert.Raw)
	})
	next := ca.Leaf(t, []string{"x.example.com"}, testpki.LeafOptions{})
	_, err = a.Import(ctx, "x.example.com", input(next), ImportOptions{})
	require.NoError(t, err)
	eventually(t, "b serves a's replacement", func() bool {
		c := served(b, "x.example.com")
		return c != nil && string(c.Leaf.Raw) == string(next.Cert.Raw)
	})
	require.NoError(t, a.Remove(ctx, "x.example.com"))
	eventually(t, "b stops serving what a removed", func() bool { return served(b, "x.example.com") == nil })
}
