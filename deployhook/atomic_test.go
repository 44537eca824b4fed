package deployhook_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/store"
)

// TestReadersNeverSeeAMix: while the lineage is switched 30 times, as
// fast as it can be, readers that open the directory once (os.OpenRoot) or
// resolve the link once always read a certificate and key that belong
// together; at worst (a reader slower than two switches) the version they
// read is gone and they read again.
func TestReadersNeverSeeAMix(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, store.NewMemory(), newCA(t), dir, deployhook.Config{Command: "true"})
	e.importCert("a.example.com")
	require.NoError(t, e.h.Flush(e.ctx).Err)
	readers := versionReaders(e.live("a.example.com"))
	var stop atomic.Bool
	var wg sync.WaitGroup
	reads, gone := map[string]*atomic.Int64{}, map[string]*atomic.Int64{}
	mixed := make(chan error, len(readers))
	for name, read := range readers {
		ok, vanished := &atomic.Int64{}, &atomic.Int64{}
		reads[name], gone[name] = ok, vanished
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				chain, key, err := read()
				if errors.Is(err, fs.ErrNotExist) { // a version deleted two switches later: read again
					vanished.Add(1)
					continue
				} else if err != nil {
					mixed <- fmt.Errorf("%s: %w", name, err)
					return
				}
				if _, err := tls.X509KeyPair(chain, key); err != nil {
					mixed <- fmt.Errorf("%s: a certificate and a key of different versions: %w", name, err)
					return
				}
				ok.Add(1)
			}
		}()
	}
	for range 30 {
		e.importCert("a.example.com")
		require.Equal(t, []string{"a.example.com"}, e.h.Flush(e.ctx).Renewed)
	}
	stop.Store(true)
	wg.Wait()
	close(mixed)
	for err := range mixed {
		require.NoError(t, err)
	}
	for name, n := range reads {
		require.Positive(t, n.Load(), name)
		t.Logf("%s: %d whole reads, %d of a version deleted meanwhile", name, n.Load(), gone[name].Load())
	}
}

// versionReaders read the certificate and key of the lineage at link: one
// opens the directory once, the other resolves the link once.
func versionReaders(link string) map[string]func() (chain, key []byte, err error) {
	return map[string]func() (chain, key []byte, err error){
		"open the directory once": func() ([]byte, []byte, error) {
			root, err := os.OpenRoot(link)
			if err != nil {
				return nil, nil, err
			}
			defer root.Close()
			chain, err := root.ReadFile("fullchain.pem")
			if err != nil {
				return nil, nil, err
			}
			key, err := root.ReadFile("privkey.pem")
			return chain, key, err
		},
		"resolve the link once": func() ([]byte, []byte, error) {
			target, err := os.Readlink(link)
			if err != nil {
				return nil, nil, err
			}
			version := filepath.Join(filepath.Dir(link), target)
			chain, err := os.ReadFile(filepath.Join(version, "fullchain.pem"))
			if err != nil {
				return nil, nil, err
			}
			key, err := os.ReadFile(filepath.Join(version, "privkey.pem"))
			return chain, key, err
		},
	}
}
