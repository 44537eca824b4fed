package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// listOnly hides a store's Scan, so that ScanAll pages through List.
type listOnly struct{ Store }

// TestScanSeesEveryRecord: every backend's scan (and ScanAll's paging
// fallback) sees every record once, with its secrets, and reports a
// damaged record instead of failing.
func TestScanSeesEveryRecord(t *testing.T) {
	ctx := context.Background()
	key, err := GenerateKey("k")
	require.NoError(t, err)
	fsys, err := NewFS(t.TempDir())
	require.NoError(t, err)
	enc, err := NewEncrypted(fsys, key)
	require.NoError(t, err)
	mem := NewMemory()
	for _, tc := range []struct {
		name string
		s    Store
	}{{"memory", mem}, {"encrypted fs", enc}, {"paging fallback", listOnly{NewMemory()}}} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for i := range 2500 {
				name := fmt.Sprintf("h%04d.example.com", i)
				want = append(want, name)
				require.NoError(t, tc.s.Put(ctx, &Record{Name: name, Data: []byte("{}"),
					Secrets: map[string][]byte{"custom.key": []byte("secret-" + name)}}))
			}
			var mu sync.Mutex
			var got []string
			require.NoError(t, ScanAll(ctx, tc.s, func(rec *Record, d *DamagedError) error {
				require.Nil(t, d)
				require.Equal(t, "secret-"+rec.Name, string(rec.Secrets["custom.key"]))
				mu.Lock()
				got = append(got, rec.Name)
				mu.Unlock()
				return nil
			}))
			sort.Strings(got)
			require.Equal(t, want, got)
		})
	}
	t.Run("damaged record reported", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(fsys.Dir(), hostsDir, "h0007.example.com", recordFile), []byte("{"), 0o600))
		var damaged []string
		var mu sync.Mutex
		n := 0
		require.NoError(t, fsys.Scan(ctx, func(rec *Record, d *DamagedError) error {
			mu.Lock()
			defer mu.Unlock()
			if d != nil {
				damaged = append(damaged, d.Name)
				return nil
			}
			n++
			return nil
		}))
		require.Equal(t, []string{"h0007.example.com"}, damaged)
		require.Equal(t, 2499, n)
	})
	t.Run("cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		require.ErrorIs(t, fsys.Scan(cctx, func(*Record, *DamagedError) error { return nil }), context.Canceled)
	})
}
