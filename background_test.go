package certs

import (
	"context"
	"fmt"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// TestBackgroundLoadServesEveryNameAtOnce: with BackgroundLoad, New returns
// before the stored hostnames are loaded, and a handshake for any stored
// name is served at once (read from the Store), as is everything once
// Loaded returns; an unknown name is still unknown.
func TestBackgroundLoadServesEveryNameAtOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	leaves := map[string]*testpki.Leaf{}
	for i := range 20 {
		host := fmt.Sprintf("bg%d.example.com", i)
		leaves[host] = f.leaf([]string{host}, testpki.LeafOptions{})
		f.importLeaf(host, leaves[host])
	}
	wild := f.leaf([]string{"*.w.example.com"}, testpki.LeafOptions{})
	f.importLeaf("*.w.example.com", wild)

	m, err := New(Config{Store: f.store, Roots: f.ca.Pool(), Logger: quietLogger(), BackgroundLoad: true})
	require.NoError(t, err)
	addr := tlsServer(t, m.TLSConfig())
	requireServes(t, f, addr, map[string]*testpki.Leaf{"bg7.example.com": leaves["bg7.example.com"], "x.w.example.com": wild}, "nothing.example.com")
	require.NoError(t, m.Loaded(ctx))
	requireServes(t, f, addr, leaves)

	// Without BackgroundLoad, Loaded has nothing to wait for.
	sync, err := New(Config{Store: store.NewMemory(), Logger: quietLogger()})
	require.NoError(t, err)
	require.NoError(t, sync.Loaded(ctx))
}
