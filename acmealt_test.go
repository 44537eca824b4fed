package certs_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/internal/testpki"
)

// limitedLeaf does a TLS 1.2 handshake as a client that supports only RSA
// or only ECDSA certificates, and returns the leaf it got.
func limitedLeaf(t *testing.T, addr, sni string, rsaOnly bool) *x509.Certificate {
	t.Helper()
	suite := tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	if rsaOnly {
		suite = tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true,
		MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}})
	require.NoError(t, err, "handshake for %s (RSA only: %v)", sni, rsaOnly)
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0]
}

func isRSA(c *x509.Certificate) bool { _, ok := c.PublicKey.(*rsa.PublicKey); return ok }

func isECDSA(c *x509.Certificate) bool { _, ok := c.PublicKey.(*ecdsa.PublicKey); return ok }

// TestECDSAAndRSASideBySide: a hostname holds an ECDSA and an RSA ACME
// certificate, both renewed and revoked together, each served to the
// clients that support it, with a custom certificate still first.
func TestECDSAAndRSASideBySide(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	addr := serveTLSOn(t, e.m.TLSConfig())
	host := pebbletest.UniqueDomain("")
	h, err := e.m.Obtain(ctxT(t), host, certs.ObtainOptions{AltNames: []string{"www." + host}, AltKeyType: certs.KeyRSA2048})
	require.NoError(t, err)
	require.NotNil(t, h.ACMEAlt)
	require.Equal(t, certs.KeyRSA2048, h.ACMEAlt.Options.KeyType)
	require.Equal(t, int64(2), e.orders.issued.Load(), "one order per key type")
	for _, sni := range []string{host, "www." + host} {
		require.True(t, isECDSA(limitedLeaf(t, addr, sni, false)), "an ECDSA client gets the ECDSA certificate")
		got := limitedLeaf(t, addr, sni, true)
		require.True(t, isRSA(got), "an RSA-only client gets the RSA certificate")
		require.Equal(t, h.ACMEAlt.Serial, fmtSerial(got))
	}

	// A custom ECDSA certificate comes first for the clients that can use
	// it; RSA-only clients still get the RSA ACME certificate.
	custom := testpki.NewCA(t).Leaf(t, []string{host}, testpki.LeafOptions{})
	_, err = e.m.Import(ctxT(t), host, certs.Input{Certificate: custom.ChainPEM(), PrivateKey: custom.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)
	require.Equal(t, custom.Cert.Raw, limitedLeaf(t, addr, host, false).Raw)
	require.Equal(t, h.ACMEAlt.Serial, fmtSerial(limitedLeaf(t, addr, host, true)))

	// Both are renewed together.
	renewed, err := e.m.Renew(ctxT(t), host, certs.RenewOptions{})
	require.NoError(t, err)
	require.NotEqual(t, h.ACME.Serial, renewed.ACME.Serial)
	require.NotEqual(t, h.ACMEAlt.Serial, renewed.ACMEAlt.Serial)
	require.Equal(t, renewed.ACMEAlt.Serial, fmtSerial(limitedLeaf(t, addr, "www."+host, true)))

	// Both are revoked together; RemoveACME drops both.
	revoked, err := e.m.Revoke(ctxT(t), host, certs.ReasonSuperseded)
	require.NoError(t, err)
	require.NotNil(t, revoked.ACMEAlt.RevokedAt)
	removed, err := e.m.RemoveACME(ctxT(t), host)
	require.NoError(t, err)
	require.Nil(t, removed.ACMEAlt)
}

func TestAltKeyTypeMustBeTheOtherFamily(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	for _, tc := range []struct{ key, alt certs.KeyType }{
		{"", certs.KeyEC384}, {certs.KeyRSA2048, certs.KeyRSA4096}, {"", "rsa1024"},
	} {
		_, err := e.m.Obtain(ctxT(t), pebbletest.UniqueDomain(""), certs.ObtainOptions{KeyType: tc.key, AltKeyType: tc.alt})
		require.ErrorIs(t, err, certs.ErrInvalidKeyType, "%s beside %s", tc.alt, tc.key)
	}
	require.Zero(t, e.orders.issued.Load())
}

func fmtSerial(c *x509.Certificate) string { return fmt.Sprintf("%x", c.SerialNumber) }
