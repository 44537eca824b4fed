package certs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
)

// TestRequirementsPerTenant: each tenant's hostnames get that tenant's DNS
// requirements and ownership values (000's app_value and org_value), and
// Check accepts one tenant's ownership record only for that tenant.
func TestRequirementsPerTenant(t *testing.T) {
	ctx := context.Background()
	srv := dnstest.Start(t, dnstest.Zone{Name: "example.com"})
	srv.Add(`_certs-ownership.a.example.com. TXT "org-a"`, `_certs-ownership.b.example.com. TXT "org-a"`)
	tenants := map[string]*validate.RequirementsConfig{
		"a": {A: []string{"203.0.113.10"}, OwnershipNamed: map[string]string{"app_value": "app-a", "org_value": "org-a"}},
		"b": {CNAME: "edge.platform.net", OwnershipNamed: map[string]string{"app_value": "app-b", "org_value": "org-b"}},
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Logger: quiet(), DNS: certs.DNSConfig{
		RequireOwnership: true, Resolvers: []string{srv.Addr()}, NameserverPort: srv.Port(), Timeout: 500 * time.Millisecond,
		RequirementsFor: func(_ string, labels map[string]string) *validate.RequirementsConfig {
			return tenants[labels[certs.TenantLabel]]
		},
	}})
	require.NoError(t, err)
	ca := testpki.NewCA(t)
	for _, tenant := range []string{"a", "b"} {
		host := tenant + ".example.com"
		l := ca.Leaf(t, []string{host}, testpki.LeafOptions{})
		h, err := m.Import(ctx, host, certs.Input{Certificate: l.ChainPEM(), PrivateKey: l.KeyPEM()},
			certs.ImportOptions{Labels: map[string]string{certs.TenantLabel: tenant}})
		require.NoError(t, err)
		want := tenants[tenant]
		require.ElementsMatch(t, want.A, h.DNSRequirements.A)
		require.Equal(t, want.CNAME, h.DNSRequirements.CNAME)
		require.Equal(t, want.OwnershipNamed, h.DNSRequirements.Ownership.Named)
		require.ElementsMatch(t, []string{want.OwnershipNamed["app_value"], want.OwnershipNamed["org_value"]}, h.DNSRequirements.Ownership.Values)
		require.Equal(t, certs.StatusPendingOwnership, h.Status)
	}
	a, err := m.Check(ctx, "a.example.com")
	require.NoError(t, err)
	require.True(t, a.DNS.OwnershipTXTConfigured, "tenant a's record proves a's hostname")
	require.Equal(t, certs.StatusActive, a.Host.Status)
	b, err := m.Check(ctx, "b.example.com")
	require.NoError(t, err)
	require.False(t, b.DNS.OwnershipTXTConfigured, "tenant a's value does not prove tenant b's hostname")
	require.Equal(t, certs.StatusPendingOwnership, b.Host.Status)
	req, err := m.Requirements("b.example.com")
	require.NoError(t, err)
	require.Equal(t, "edge.platform.net", req.CNAME, "Requirements reads the hostname's tenant")
}
