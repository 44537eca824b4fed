package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
)

// TestPerTenantOwnershipValues: each tenant's hostnames show that tenant's
// own ownership values, named as 000 names them (app_value, org_value).
func TestPerTenantOwnershipValues(t *testing.T) {
	e := newEnv(t, envOptions{perTenant: true})
	for _, tc := range []struct{ token, tenant, host string }{
		{tokenA, "app-a", "a.example.com"}, {tokenB, "app-b", "b.example.com"},
	} {
		a := e.doJSON(http.MethodPost, "/certificates/custom", tc.token, upload(tc.host, e.issue(tc.host)))
		require.Equal(t, http.StatusCreated, a.status, a.body)
		var h api.Hostname
		e.do(http.MethodGet, "/certificates/"+tc.host, tc.token, "").json(t, &h)
		own := h.DNSRequirements.Ownership
		require.NotNil(t, own.AppValue)
		require.Equal(t, tc.tenant+"-app-value", *own.AppValue)
		require.Equal(t, tc.tenant+"-org-value", *own.OrgValue)
		require.ElementsMatch(t, []string{tc.tenant + "-app-value", tc.tenant + "-org-value"}, own.Values)
	}
}
