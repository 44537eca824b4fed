package certs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// damage breaks the stored record of host in one of the ways a disk, an
// operator or a newer version can.
func damage(t *testing.T, f *fixture, host, how string) {
	t.Helper()
	file := filepath.Join(f.store.(*store.FS).Dir(), "hosts", host, "record.json")
	switch how {
	case "truncated":
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(file, b[:len(b)/2], 0o600))
	case "empty":
		require.NoError(t, os.WriteFile(file, nil, 0o600))
	case "junk":
		require.NoError(t, os.WriteFile(file, []byte("\x00\xffnot json at all"), 0o600))
	case "directory":
		require.NoError(t, os.Remove(file))
		require.NoError(t, os.Mkdir(file, 0o700))
	case "newer version":
		rec, err := f.store.Get(context.Background(), host)
		require.NoError(t, err)
		rec.Data = []byte(`{"version":99,"hostname":"` + host + `"}`)
		require.NoError(t, f.store.Put(context.Background(), rec))
	default:
		t.Fatalf("unknown damage %q", how)
	}
}

// TestDamagedRecordNeverStopsServing: one damaged record, of each kind, is
// skipped and reported by New, Reload, Start and List, and every other
// hostname is served (real handshakes). A record damaged while running
// goes on being served as it was; Remove repairs it.
func TestDamagedRecordNeverStopsServing(t *testing.T) {
	for _, how := range []string{"truncated", "empty", "junk", "directory", "newer version"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			leaves := map[string]*testpki.Leaf{}
			for _, h := range []string{"a.example.com", "b.example.com", "c.example.com"} {
				leaves[h] = f.leaf([]string{h}, testpki.LeafOptions{})
				f.importLeaf(h, leaves[h])
			}
			damage(t, f, "b.example.com", how)

			// A restart: New serves the others and reports the damaged one.
			m, err := New(Config{Store: f.store, Roots: f.ca.Pool(), Clock: f.clock.Now, Logger: quietLogger()})
			require.NoError(t, err)
			require.Len(t, m.Damaged(), 1)
			require.Equal(t, "b.example.com", m.Damaged()[0].Hostname)
			addr := tlsServer(t, m.TLSConfig())
			requireServes(t, f, addr, map[string]*testpki.Leaf{"a.example.com": leaves["a.example.com"], "c.example.com": leaves["c.example.com"]}, "b.example.com")
			require.NoError(t, m.Start(ctx))
			t.Cleanup(m.Stop)

			page, err := m.List(ctx, ListOptions{})
			require.NoError(t, err)
			require.Len(t, page.Hosts, 2)
			require.Len(t, page.Damaged, 1)
			require.Equal(t, "b.example.com", page.Damaged[0].Hostname)
			require.Equal(t, 3, page.Total)
			_, err = m.Get(ctx, "b.example.com")
			require.Error(t, err)
			require.False(t, errors.Is(err, ErrNotFound), "a damaged record is not a missing one")

			// The running Manager that served b before it was damaged keeps
			// serving it through Reload and ReloadHostname.
			var events []Event
			f.m.Subscribe(func(ev Event) { events = append(events, ev) })
			err = f.m.Reload(ctx)
			var dre *DamagedRecordsError
			require.ErrorAs(t, err, &dre)
			require.ErrorIs(t, err, ErrDamaged)
			require.Contains(t, err.Error(), "b.example.com")
			require.Len(t, events, 1)
			require.Equal(t, EventDamaged, events[0].Type)
			require.Error(t, f.m.ReloadHostname(ctx, "b.example.com"))
			running := tlsServer(t, f.m.TLSConfig())
			requireServes(t, f, running, leaves)

			// Remove repairs it; a fresh import then works.
			require.NoError(t, m.Remove(ctx, "b.example.com"))
			require.NoError(t, m.Reload(ctx))
			require.Empty(t, m.Damaged())
			fresh := f.leaf([]string{"b.example.com"}, testpki.LeafOptions{})
			_, err = m.Import(ctx, "b.example.com", input(fresh), ImportOptions{})
			require.NoError(t, err)
			requireServes(t, f, addr, map[string]*testpki.Leaf{"b.example.com": fresh})
		})
	}
}

// TestDamagedRecordIsNotOverwritten: an import or metadata change of a
// hostname whose record is damaged fails and leaves the record as it is
// (its key may still be restored from a backup).
func TestDamagedRecordIsNotOverwritten(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	l := f.leaf([]string{"d.example.com"}, testpki.LeafOptions{})
	f.importLeaf("d.example.com", l)
	damage(t, f, "d.example.com", "truncated")
	file := filepath.Join(f.store.(*store.FS).Dir(), "hosts", "d.example.com", "record.json")
	before, err := os.ReadFile(file)
	require.NoError(t, err)
	_, err = f.m.Import(ctx, "d.example.com", input(f.leaf([]string{"d.example.com"}, testpki.LeafOptions{})), ImportOptions{})
	require.ErrorIs(t, err, ErrDamaged)
	_, err = f.m.SetMetadata(ctx, "d.example.com", Metadata{DisplayName: "x"})
	require.ErrorIs(t, err, ErrDamaged)
	after, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, before, after)
}
