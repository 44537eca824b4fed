package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/internal/tlstest"
)

func serveTLSOn(t *testing.T, cfg *tls.Config) string { return tlstest.Serve(t, cfg) }

// peerLeaf does a real TLS handshake with SNI and returns the leaf the
// server presented, after checking that it covers sni. Pebble's roots
// change with every run, so the chain itself is not verified.
func peerLeaf(t *testing.T, addr, sni string) (*x509.Certificate, error) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	leaf := c.ConnectionState().PeerCertificates[0]
	return leaf, leaf.VerifyHostname(sni)
}

func TestObtainServesEveryOrderName(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	addr := serveTLSOn(t, e.m.TLSConfig())
	apex := pebbletest.UniqueDomain("")
	tests := []struct {
		name   string
		host   string
		alt    []string
		serves []string // SNIs that must get the certificate
	}{
		{"alternate name", "x." + apex, []string{"www.x." + apex}, []string{"x." + apex, "www.x." + apex}},
		{"wildcard and its apex", "*.y." + apex, []string{"y." + apex}, []string{"y." + apex, "a.y." + apex, "b.y." + apex}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := e.m.Obtain(ctxT(t), tc.host, certs.ObtainOptions{AltNames: tc.alt})
			require.NoError(t, err)
			require.Equal(t, append([]string{tc.host}, tc.alt...), h.ServedNames)
			for _, sni := range tc.serves {
				leaf, err := peerLeaf(t, addr, sni)
				require.NoError(t, err, "handshake for %s", sni)
				require.Equal(t, h.ACME.Serial, fmt.Sprintf("%x", leaf.SerialNumber), "certificate served for %s", sni)
			}
		})
	}
}

func TestObtainAltNameHeldByAnotherHostname(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	apex := pebbletest.UniqueDomain("")
	_, err := e.m.Obtain(ctxT(t), "a."+apex, certs.ObtainOptions{AltNames: []string{"shared." + apex}})
	require.NoError(t, err)
	orders := e.orders.issued.Load()

	_, err = e.m.Obtain(ctxT(t), "b."+apex, certs.ObtainOptions{AltNames: []string{"shared." + apex}})
	require.ErrorIs(t, err, certs.ErrNameConflict)
	require.ErrorContains(t, err, "a."+apex)
	require.Equal(t, orders, e.orders.issued.Load(), "no order placed for a name another hostname holds")
	_, err = e.m.Get(ctxT(t), "b."+apex)
	require.ErrorIs(t, err, certs.ErrNotFound, "nothing stored")
	ex, err := e.m.Explain(ctxT(t), "shared."+apex)
	require.NoError(t, err)
	require.Equal(t, "a."+apex, ex.Hostname)
	require.Equal(t, certs.MatchFurtherName, ex.Match)
	require.Equal(t, certs.SourceACME, ex.Source)
}
