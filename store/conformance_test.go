package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store { return store.NewMemory() })
}

// fsDirs maps the stores the FS conformance tests make to the directory
// of their FS, for damageFS.
var fsDirs sync.Map

// newConformanceFS returns a new FS, and remembers its directory for the
// store wrap(FS) returns.
func newConformanceFS(t *testing.T, wrap func(*store.FS) store.Store) store.Store {
	fs, err := store.NewFS(t.TempDir())
	require.NoError(t, err)
	s := wrap(fs)
	fsDirs.Store(s, fs.Dir())
	t.Cleanup(func() { fsDirs.Delete(s) })
	return s
}

// damageFS truncates the record file of name, as a full disk or a careless
// copy would.
func damageFS(t *testing.T, s store.Store, name string) {
	dir, ok := fsDirs.Load(s)
	require.True(t, ok, "not a store made by newConformanceFS")
	p := filepath.Join(dir.(string), "hosts", strings.Replace(name, "*.", "+.", 1), "record.json")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b[:len(b)/2], 0o600))
}

func TestFSConformance(t *testing.T) {
	t.Parallel()
	storetest.RunWith(t, func(t *testing.T) store.Store {
		return newConformanceFS(t, func(fs *store.FS) store.Store { return fs })
	}, storetest.Options{Damage: damageFS})
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
	storetest.RunWith(t, func(t *testing.T) store.Store {
		return newConformanceFS(t, func(fs *store.FS) store.Store {
			s, err := store.NewEncrypted(fs, testKey(t, "k1"))
			require.NoError(t, err)
			return s
		})
	}, storetest.Options{Damage: damageFS})
}
