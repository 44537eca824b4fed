package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

// TestKeysParsedAtFirstUse: after a restart, keys read back from the Store
// are parsed at the first handshake; every kind of key signs (and an RSA
// key decrypts, for RSA key exchange), and a key that does not match its
// certificate fails that name's handshakes only.
func TestKeysParsedAtFirstUse(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	kinds := map[string]testpki.KeyType{"ec.example.com": testpki.ECDSAP256, "rsa.example.com": testpki.RSA2048, "ed.example.com": testpki.Ed25519}
	leaves := map[string]*testpki.Leaf{}
	for host, kt := range kinds {
		leaves[host] = f.leaf([]string{host}, testpki.LeafOptions{KeyType: kt})
		f.importLeaf(host, leaves[host])
	}
	// A stored key that does not match its certificate (edited by hand).
	bad := f.leaf([]string{"bad.example.com"}, testpki.LeafOptions{})
	f.importLeaf("bad.example.com", bad)
	rec, err := f.store.Get(ctx, "bad.example.com")
	require.NoError(t, err)
	rec.Secrets[secretName(SourceCustom)] = f.leaf([]string{"x.example.com"}, testpki.LeafOptions{}).KeyPEM()
	require.NoError(t, f.store.Put(ctx, rec))

	m, err := New(Config{Store: f.store, Roots: f.ca.Pool(), Clock: f.clock.Now, Logger: quietLogger()})
	require.NoError(t, err)
	c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "ec.example.com"})
	require.NoError(t, err)
	_, lazy := c.PrivateKey.(*lazyKey)
	require.True(t, lazy, "a key read back from the Store is parsed at first use")
	require.NotContains(t, fmt.Sprintf("%v %+v %#v %s", c.PrivateKey, c.PrivateKey, c.PrivateKey, c.PrivateKey),
		string(leaves["ec.example.com"].KeyPEM()[40:80]))

	addr := tlsServer(t, m.TLSConfig())
	requireServes(t, f, addr, leaves)
	// RSA key exchange (TLS 1.2 without ECDHE, off by default in Go: a
	// server must ask for it) decrypts with the lazy key.
	rsaKex := m.TLSConfig()
	rsaKex.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	got, err := handshake(t, tlsServer(t, rsaKex), "rsa.example.com", f.ca.Pool(), func(c *tls.Config) {
		c.MaxVersion = tls.VersionTLS12
		c.CipherSuites = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}
	})
	require.NoError(t, err)
	require.Equal(t, leaves["rsa.example.com"].Cert.Raw, got.Raw)
	_, err = handshake(t, addr, "bad.example.com", f.ca.Pool())
	require.Error(t, err, "a key that does not match fails its own handshakes")
	requireServes(t, f, addr, map[string]*testpki.Leaf{"ec.example.com": leaves["ec.example.com"]})
}
