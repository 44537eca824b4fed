package certs_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// TestEverythingSecretSealedAtRest: in the natural set-up (one filesystem
// Store given to both the Issuer and the Manager, an encryption key on the
// Manager), a real order leaves no private key in clear on disk: neither
// the certificate's nor the ACME account's. With acme.Config.Store left nil
// the Issuer uses the Manager's Store, sealed as well.
func TestEverythingSecretSealedAtRest(t *testing.T) {
	for _, shareStore := range []bool{true, false} {
		name := "issuer given the same store"
		if !shareStore {
			name = "issuer given no store"
		}
		t.Run(name, func(t *testing.T) {
			srv := pebbletest.Start(t, pebbletest.Options{})
			dir := t.TempDir()
			fsStore, err := store.NewFS(dir)
			require.NoError(t, err)
			key, err := store.GenerateKey("k1")
			require.NoError(t, err)
			cfg := acme.Config{DirectoryURL: srv.DirectoryURL, AgreeTOS: true, Email: "ops@example.com",
				HTTPClient: srv.HTTPClient(), Logger: quiet(), DNSResolvers: []string{srv.DNSAddr}}
			if shareStore {
				cfg.Store = fsStore
			}
			iss, err := acme.New(cfg)
			require.NoError(t, err)
			m, err := certs.New(certs.Config{Store: fsStore, Issuer: iss, EncryptionKey: &key, Logger: quiet()})
			require.NoError(t, err)
			srv.HandleHTTP01(t, m.HTTPHandler(nil))
			host := pebbletest.UniqueDomain("")
			_, err = m.Obtain(ctxT(t), host, certs.ObtainOptions{})
			require.NoError(t, err)
			certKey, err := m.PrivateKey(ctxT(t), host, certs.SourceACME)
			require.NoError(t, err)

			files := 0
			require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(p)
				require.NoError(t, err)
				files++
				require.NotContains(t, string(b), "PRIVATE KEY", "%s holds a private key in clear", p)
				require.False(t, bytes.Contains(b, certKey[40:100]), "%s holds the certificate's key", p)
				return nil
			}))
			require.Greater(t, files, 1, "the record and the account were written")
			require.NotNil(t, iss.Store(), "the Issuer keeps its account in the Manager's Store")
		})
	}
}
