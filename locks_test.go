package certs

import (
	"context"
	"crypto/tls"
	"sync"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// within fails the test when fn does not return in time (a deadlock).
func within(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatal("did not return: deadlock")
	}
}

// TestSubscribersMayCallTheManager: a subscriber that changes the hostname
// an event is about, removes it, or orders for it, neither deadlocks nor
// loses an event; events still arrive in order.
func TestSubscribersMayCallTheManager(t *testing.T) {
	f, iss := renewalFixture(t, 90*24*time.Hour, nil)
	ctx := context.Background()
	var mu sync.Mutex
	var seen []EventType
	f.m.Subscribe(func(ev Event) {
		mu.Lock()
		seen = append(seen, ev.Type)
		mu.Unlock()
		switch ev.Type {
		case EventImported:
			_, err := f.m.SetMetadata(ctx, ev.Hostname, Metadata{DisplayName: "from a subscriber"})
			require.NoError(t, err)
			_, err = f.m.Obtain(ctx, ev.Hostname, ObtainOptions{})
			require.NoError(t, err)
		case EventIssued:
			_, err := f.m.Renew(ctx, ev.Hostname, RenewOptions{})
			require.NoError(t, err)
		case EventRenewed:
			require.NoError(t, f.m.Remove(ctx, ev.Hostname))
		}
	})
	within(t, 20*time.Second, func() {
		f.importLeaf("sub.example.com", f.leaf([]string{"sub.example.com"}, testpki.LeafOptions{}))
	})
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []EventType{EventImported, EventIssued, EventRenewed, EventRemoved}, seen)
	require.Equal(t, 2, iss.orders())
	require.Nil(t, f.storedRecord("sub.example.com"))
}

// pausedReads holds the first Get after arm until proceed is closed, so
// that a read-modify-write cycle is wide open to a concurrent writer.
type pausedReads struct {
	*store.FS
	once    *sync.Once
	read    chan struct{} // closed once the paused Get has read
	proceed chan struct{}
}

func (s pausedReads) Get(ctx context.Context, name string) (*store.Record, error) {
	rec, err := s.FS.Get(ctx, name)
	s.once.Do(func() {
		close(s.read)
		<-s.proceed
	})
	return rec, err
}

// TestReplicasNeverOverwriteEachOther: two Managers on one filesystem store;
// one changes a hostname's metadata while the other imports a new
// certificate for it in the middle of that change. Both changes survive, and
// a restarted replica serves the new certificate.
func TestReplicasNeverOverwriteEachOther(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	old := f.leaf([]string{"shared.example.com"}, testpki.LeafOptions{})
	f.importLeaf("shared.example.com", old)
	paused := pausedReads{FS: f.store.(*store.FS), once: &sync.Once{}, read: make(chan struct{}), proceed: make(chan struct{})}
	slow, err := New(Config{Store: paused, Roots: f.ca.Pool(), Logger: quietLogger()})
	require.NoError(t, err)

	metaDone := make(chan error, 1)
	go func() {
		_, err := slow.SetMetadata(ctx, "shared.example.com", Metadata{DisplayName: "Shared"})
		metaDone <- err
	}()
	<-paused.read // the slow replica has read the record and not written it yet
	fresh := f.leaf([]string{"shared.example.com"}, testpki.LeafOptions{})
	importDone := make(chan error, 1)
	go func() {
		_, err := f.m.Import(ctx, "shared.example.com", input(fresh), ImportOptions{})
		importDone <- err
	}()
	select { // with the record lock, the import waits for the other write
	case err := <-importDone:
		importDone <- err
	case <-time.After(500 * time.Millisecond):
	}
	close(paused.proceed)
	require.NoError(t, <-metaDone)
	require.NoError(t, <-importDone)

	restarted, err := New(Config{Store: f.store, Roots: f.ca.Pool(), Logger: quietLogger()})
	require.NoError(t, err)
	h, err := restarted.Get(ctx, "shared.example.com")
	require.NoError(t, err)
	require.Equal(t, "Shared", h.DisplayName, "the metadata change survives")
	require.Equal(t, factsOf(fresh).FingerprintSHA256, h.Custom.FingerprintSHA256, "the import survives")
	c, err := restarted.GetCertificate(&tls.ClientHelloInfo{ServerName: "shared.example.com"})
	require.NoError(t, err)
	require.Equal(t, fresh.Cert.Raw, c.Leaf.Raw)
}
