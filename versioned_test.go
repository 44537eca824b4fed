package certs

import (
	"context"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// TestWriteRefusedAfterALostLock: with a Store that keeps versions, a
// write whose record another process changed after it was read (as when
// this process lost its lock without noticing) is refused with
// ErrConflict, and the other change is kept and served.
func TestWriteRefusedAfterALostLock(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		st   func(t *testing.T) Store
	}{
		{"memory", func(*testing.T) Store { return store.NewMemory() }},
		{"encrypted memory", func(t *testing.T) Store {
			key, err := store.GenerateKey("k")
			require.NoError(t, err)
			enc, err := store.NewEncrypted(store.NewMemory(), key)
			require.NoError(t, err)
			return enc
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.st(t)
			ca := testpki.NewCA(t).Intermediate(t)
			m, err := New(Config{Store: st, Roots: ca.Root().Pool(), Logger: quietLogger()})
			require.NoError(t, err)
			other, err := New(Config{Store: st, Roots: ca.Root().Pool(), Logger: quietLogger()})
			require.NoError(t, err)
			first := ca.Leaf(t, []string{"v.example.com"}, testpki.LeafOptions{})
			_, err = m.Import(ctx, "v.example.com", input(first), ImportOptions{})
			require.NoError(t, err)

			_, err = m.update(ctx, "v.example.com", false, func(h *Host, _ keyring) error {
				// Another process writes while this one thinks it holds
				// the lock: a plain Put behind the lock's back.
				theirs, keys, err := other.load(ctx, "v.example.com")
				require.NoError(t, err)
				theirs.DisplayName = "theirs"
				rec, err := encodeRecord(theirs, keys)
				require.NoError(t, err)
				require.NoError(t, st.Put(ctx, rec))
				h.DisplayName = "mine"
				return nil
			})
			require.ErrorIs(t, err, ErrConflict)
			got, err := m.Get(ctx, "v.example.com")
			require.NoError(t, err)
			require.Equal(t, "theirs", got.DisplayName, "the other change is kept")
		})
	}
}
