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
