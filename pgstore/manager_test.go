package pgstore

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// TestSecretsSealedThroughManager: a Manager with an EncryptionKey on a
// pgstore imports a certificate; the row in the database holds no private
// key in clear (read straight from the table), the Manager reads the key
// back, and a store with another key cannot.
func TestSecretsSealedThroughManager(t *testing.T) {
	t.Parallel()
	dsn, db := newDB(t)
	ctx := ctxT(t)
	key, err := store.GenerateKey("k1")
	require.NoError(t, err)
	ca := testpki.NewCA(t)
	leaf := ca.Leaf(t, []string{"shop.example.com"}, testpki.LeafOptions{})
	m, err := certs.New(certs.Config{Store: newStoreDSN(t, dsn, Config{}), EncryptionKey: &key, Roots: ca.Pool(), Logger: quiet()})
	require.NoError(t, err)
	_, err = m.Import(ctx, "shop.example.com", certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)

	der, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	require.NoError(t, err)
	var data, secrets []byte
	require.NoError(t, adminConn(t, db).QueryRow(ctx, "SELECT data, secrets FROM certs.records WHERE name = 'shop.example.com'").Scan(&data, &secrets))
	require.NotEmpty(t, secrets)
	for col, b := range map[string][]byte{"data": data, "secrets": secrets} {
		require.NotContains(t, string(b), "PRIVATE KEY", "column %s holds a private key in clear", col)
		require.False(t, bytes.Contains(b, der[len(der)-32:]), "column %s holds the key's bytes", col)
		require.False(t, bytes.Contains(b, leaf.KeyPEM()[40:80]), "column %s holds the key's PEM", col)
	}
	got, err := m.PrivateKey(ctx, "shop.example.com", certs.SourceCustom)
	require.NoError(t, err)
	require.Contains(t, string(got), "PRIVATE KEY")

	other, err := store.GenerateKey("k2")
	require.NoError(t, err)
	wrongKey, err := store.NewEncrypted(newStoreDSN(t, dsn, Config{}), other)
	require.NoError(t, err)
	_, err = wrongKey.Get(ctx, "shop.example.com")
	require.ErrorIs(t, err, store.ErrDecrypt, "the sealed key opened without its key")
}

// TestReplicaFollowsTheFeed: two Managers, each on its own store on one
// database (two replicas), their schedulers started. The second follows
// the change feed (store.ChangeFeed, through the Manager's encryption
// wrapper): what the first imports, the second serves within moments, and
// what the first removes, it stops serving, with no call from the
// application.
func TestReplicaFollowsTheFeed(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	ctx := ctxT(t)
	ca := testpki.NewCA(t)
	key, err := store.GenerateKey("k1")
	require.NoError(t, err)
	start := func() *certs.Manager {
		m, err := certs.New(certs.Config{Store: newStoreDSN(t, dsn, Config{PollInterval: time.Hour}), EncryptionKey: &key, Roots: ca.Pool(), Logger: quiet()})
		require.NoError(t, err)
		require.NoError(t, m.Start(ctx))
		t.Cleanup(m.Stop)
		return m
	}
	m1, m2 := start(), start()
	serves := func(name string) bool {
		c, err := m2.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
		return err == nil && c != nil && c.Leaf != nil && c.Leaf.Subject.CommonName == name
	}
	leaf := ca.Leaf(t, []string{"new.example.com"}, testpki.LeafOptions{})
	_, err = m1.Import(ctx, "new.example.com", certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { return serves("new.example.com") }, 10*time.Second, 10*time.Millisecond, "the replica serves the import")
	require.NoError(t, m1.Remove(ctx, "new.example.com"))
	require.Eventually(t, func() bool { return !serves("new.example.com") }, 10*time.Second, 10*time.Millisecond, "the replica stops serving the removed name")
}

// TestFollow: Follow reports puts, deletes and a truncated table as
// store.Changes, and a pruned position as a Reset, then goes on.
func TestFollow(t *testing.T) {
	t.Parallel()
	dsn, db := newDB(t)
	s := newStoreDSN(t, dsn, Config{PollInterval: time.Hour})
	ctx := ctxT(t)
	require.NoError(t, s.Put(ctx, &store.Record{Name: "a.test"}))
	require.NoError(t, s.Put(ctx, &store.Record{Name: "b.test"}))
	_, err := s.PruneChanges(ctx, time.Now().Add(time.Hour)) // both pruned
	require.NoError(t, err)
	require.NoError(t, s.Delete(ctx, "a.test"))
	adminExec(t, db, "TRUNCATE certs.records")

	var got []store.Change
	fctx, cancel := context.WithCancel(ctx)
	err = s.Follow(fctx, 0, func(c store.Change) error {
		got = append(got, c)
		if len(got) == 3 {
			cancel()
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, []store.Change{
		{Seq: 2, Reset: true},
		{Seq: 3, Name: "a.test", Deleted: true},
		{Seq: 4, Reset: true},
	}, got)
}
