package pgstore

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/store/storetest"
)

// damage truncates the secrets column of the record called name, as a
// careless edit by hand would, so that the row no longer decodes.
func damage(t *testing.T, s store.Store, name string) {
	t.Helper()
	ps, ok := s.(*Store)
	require.True(t, ok, "not a *pgstore.Store")
	tag, err := ps.pool.Exec(context.Background(),
		"UPDATE "+ps.q.records+" SET secrets = substring(secrets FROM 1 FOR length(secrets) / 2) WHERE name = $1", name)
	require.NoError(t, err)
	require.EqualValues(t, 1, tag.RowsAffected())
}

// TestConformance runs the store conformance suite, damage included, each
// store on a fresh database.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.RunWith(t, func(t *testing.T) store.Store { return newStore(t) }, storetest.Options{Damage: damage})
}

// TestEncryptedConformance runs the suite on the store wrapped as the
// Manager wraps it when Config.EncryptionKey is set.
func TestEncryptedConformance(t *testing.T) {
	t.Parallel()
	key, err := store.GenerateKey("k1")
	require.NoError(t, err)
	inner := map[store.Store]*Store{}
	storetest.RunWith(t, func(t *testing.T) store.Store {
		ps := newStore(t)
		s, err := store.NewEncrypted(ps, key)
		require.NoError(t, err)
		inner[s] = ps
		return s
	}, storetest.Options{Damage: func(t *testing.T, s store.Store, name string) { damage(t, inner[s], name) }})
}

// TestLockTwoStores checks exclusion between two Stores on one database,
// as two processes would have.
func TestLockTwoStores(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	a := newStoreDSN(t, dsn, Config{})
	b := newStoreDSN(t, dsn, Config{})
	storetest.RunMutualExclusion(t, []store.Locker{a, b}, "shared.example.com", 6, 4)
}
