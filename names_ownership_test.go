package certs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/testpki"
)

// TestOwnershipGatesFurtherNames: under RequireOwnership every further name
// of a custom certificate is served only once Check has seen its own
// ownership TXT record.
func TestOwnershipGatesFurtherNames(t *testing.T) {
	ctx := context.Background()
	m, srv := dnsManager(t,
		"shop.example.com. CNAME edge.platform.net.",
		"www.example.com. CNAME edge.platform.net.",
		`_certs-ownership.shop.example.com. TXT "app-123"`,
	)
	addr := serveTLSOn(t, m.TLSConfig())
	ca := testpki.NewCA(t)
	leaf := ca.Leaf(t, []string{"shop.example.com", "www.example.com"}, testpki.LeafOptions{})
	in := certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}
	_, err := m.Import(ctx, "shop.example.com", in, certs.ImportOptions{AllNames: true})
	require.NoError(t, err)
	for _, sni := range []string{"shop.example.com", "www.example.com"} {
		_, err := peerLeaf(t, addr, sni)
		require.Error(t, err, "%s is not served before its ownership is proven", sni)
	}

	res, err := m.Check(ctx, "shop.example.com")
	require.NoError(t, err)
	require.Equal(t, certs.StatusActive, res.Host.Status)
	require.Equal(t, []string{"shop.example.com"}, res.Host.ServedNames)
	got, err := peerLeaf(t, addr, "shop.example.com")
	require.NoError(t, err)
	require.Equal(t, leaf.Cert.Raw, got.Raw)
	_, err = peerLeaf(t, addr, "www.example.com")
	require.Error(t, err, "www has no ownership record yet")

	srv.Add(`_certs-ownership.www.example.com. TXT "org-456"`)
	res, err = m.Check(ctx, "shop.example.com")
	require.NoError(t, err)
	require.Equal(t, []string{"www.example.com"}, res.Host.VerifiedNames)
	require.Equal(t, []string{"shop.example.com", "www.example.com"}, res.Host.ServedNames)
	got, err = peerLeaf(t, addr, "www.example.com")
	require.NoError(t, err)
	require.Equal(t, leaf.Cert.Raw, got.Raw)
}
