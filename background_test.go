package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"sync"
	"testing"
	"time"

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

// slowScan is a Store whose full scan waits until released: a load that
// takes as long as the test wants.
type slowScan struct {
	*store.Memory
	release chan struct{}
}

func (s slowScan) Scan(ctx context.Context, fn func(*store.Record, *store.DamagedError) error) error {
	<-s.release
	return s.Memory.Scan(ctx, fn)
}

// TestBackgroundLoadNeverBlocksHandshakes: while a long background load
// runs, handshakes for stored names are served from the Store, imports are
// served at once and stay served after the load ends.
func TestBackgroundLoadNeverBlocksHandshakes(t *testing.T) {
	ctx := context.Background()
	ca := testpki.NewCA(t).Intermediate(t)
	mem := store.NewMemory()
	seed, err := New(Config{Store: mem, Roots: ca.Root().Pool(), Logger: quietLogger()})
	require.NoError(t, err)
	stored := ca.Leaf(t, []string{"stored.example.com"}, testpki.LeafOptions{})
	_, err = seed.Import(ctx, "stored.example.com", input(stored), ImportOptions{})
	require.NoError(t, err)

	slow := slowScan{Memory: mem, release: make(chan struct{})}
	m, err := New(Config{Store: slow, Roots: ca.Root().Pool(), Logger: quietLogger(), BackgroundLoad: true})
	require.NoError(t, err)
	c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "stored.example.com"})
	require.NoError(t, err, "served while the load has not even started reading")
	require.Equal(t, stored.Cert.Raw, c.Leaf.Raw)
	fresh := ca.Leaf(t, []string{"fresh.example.com"}, testpki.LeafOptions{})
	_, err = m.Import(ctx, "fresh.example.com", input(fresh), ImportOptions{})
	require.NoError(t, err)

	close(slow.release)
	require.NoError(t, m.Loaded(ctx))
	for name, l := range map[string]*testpki.Leaf{"stored.example.com": stored, "fresh.example.com": fresh} {
		c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
		require.NoError(t, err, name)
		require.Equal(t, l.Cert.Raw, c.Leaf.Raw, name)
	}
}

// TestBackgroundLoadOneReadPerName: while the load runs, 30 handshakes at
// once for a stored name it has not reached share one read of its record.
func TestBackgroundLoadOneReadPerName(t *testing.T) {
	ctx := context.Background()
	ca := testpki.NewCA(t).Intermediate(t)
	mem := store.NewMemory()
	seed, err := New(Config{Store: mem, Roots: ca.Root().Pool(), Logger: quietLogger()})
	require.NoError(t, err)
	stored := ca.Leaf(t, []string{"stored.example.com"}, testpki.LeafOptions{})
	_, err = seed.Import(ctx, "stored.example.com", input(stored), ImportOptions{})
	require.NoError(t, err)

	slow := slowScan{Memory: mem, release: make(chan struct{})}
	counted := &getCounter{Store: slow, delay: 50 * time.Millisecond}
	m, err := New(Config{Store: slowCounted{getCounter: counted, slowScan: slow}, Roots: ca.Root().Pool(),
		Logger: quietLogger(), BackgroundLoad: true})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "stored.example.com"})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, counted.count("stored.example.com"))
	close(slow.release)
	require.NoError(t, m.Loaded(ctx))
}

// slowCounted counts Gets (getCounter) and scans slowly (slowScan).
type slowCounted struct {
	*getCounter
	slowScan slowScan
}

func (s slowCounted) Scan(ctx context.Context, fn func(*store.Record, *store.DamagedError) error) error {
	return s.slowScan.Scan(ctx, fn)
}
