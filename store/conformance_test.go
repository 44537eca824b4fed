package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() })
}

func TestFSConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.NewFS(t.TempDir())
		require.NoError(t, err)
		return s
	})
}

// TestFSLockTwoInstances checks exclusion between two FS values sharing a
// directory, as two processes would.
func TestFSLockTwoInstances(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := store.NewFS(dir)
	require.NoError(t, err)
	b, err := store.NewFS(dir)
	require.NoError(t, err)
	storetest.RunMutualExclusion(t, []store.Locker{a, b}, "shared.example.com", 4, 3)
}

func testKey(t *testing.T, id string) store.Key {
	t.Helper()
	k, err := store.GenerateKey(id)
	require.NoError(t, err)
	return k
}

func TestEncryptedMemoryConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := store.NewEncrypted(store.NewMemory(), testKey(t, "k2"), testKey(t, "k1"))
		require.NoError(t, err)
		return s
	})
}

func TestEncryptedFSConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		fs, err := store.NewFS(t.TempDir())
		require.NoError(t, err)
		s, err := store.NewEncrypted(fs, testKey(t, "k1"))
		require.NoError(t, err)
		return s
	})
}
