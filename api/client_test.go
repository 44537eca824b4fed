package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
)

// TestClient: the typed client over every endpoint not covered by the
// other tests, its errors matching the root's sentinels.
func TestClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.client(tokenA)
	ctx := e.ctx()
	const name = "client.example.com"

	doc, err := c.OpenAPI(ctx)
	require.NoError(t, err)
	require.Equal(t, api.OpenAPI(), doc)

	_, err = c.Get(ctx, name)
	require.ErrorIs(t, err, certs.ErrNotFound)
	other := e.issue("other.example.com")
	_, err = c.Import(ctx, api.ImportCustom{Hostname: name, Upload: api.Upload{Fullchain: string(e.issue(name).Certificate), PrivateKey: string(other.PrivateKey)}})
	require.ErrorIs(t, err, certs.ErrKeyMismatch)

	h, err := c.Import(ctx, api.ImportCustom{Hostname: name, Upload: upload(name, e.issue(name, "www."+name)).Upload, AllNames: true})
	require.NoError(t, err)
	require.Equal(t, []string{name, "www." + name}, h.ServedNames)
	ex, err := c.Explain(ctx, "www."+name)
	require.NoError(t, err)
	require.Equal(t, "further_name", ex.Match)
	require.Equal(t, name, ex.Hostname)
	_, err = c.Explain(ctx, "nothing.example.com")
	require.ErrorIs(t, err, certs.ErrUnknownHost)

	h, err = c.SetMetadata(ctx, name, api.Metadata{DisplayName: "Client shop", Labels: map[string]string{"plan": "pro"}})
	require.NoError(t, err)
	require.Equal(t, "Client shop", h.DisplayName)
	require.Equal(t, map[string]string{"plan": "pro"}, h.Labels)
	stored, err := e.m.Get(ctx, name)
	require.NoError(t, err)
	require.Equal(t, "app-a", stored.Labels[api.TenantLabel], "the tenant label is kept")

	e.dns.Add("client.example.com. 300 IN A 203.0.113.10")
	res, err := c.Check(ctx, name)
	require.NoError(t, err)
	require.True(t, res.Configured)
	require.Equal(t, []string{"203.0.113.10"}, res.DNSRecords.A)

	_, err = c.RequestACME(ctx, api.RequestACME{Hostname: name})
	require.NoError(t, err)
	e.issueACME()
	h, err = c.DeleteCustom(ctx, name)
	require.NoError(t, err)
	require.Equal(t, []string{"acme"}, sources(*h))
	h, err = c.DeleteACME(ctx, name)
	require.NoError(t, err)
	require.Empty(t, h.Certificates)
	require.NoError(t, c.Delete(ctx, name))
	err = c.Delete(ctx, name)
	require.ErrorIs(t, err, certs.ErrNotFound)
	var p *api.Problem
	require.ErrorAs(t, err, &p)
	require.Equal(t, 404, p.Status)

	require.NotContains(t, fmt.Sprint(c), tokenA)
	require.NotContains(t, fmt.Sprintf("%#v", c), tokenA)
	_, err = api.NewClient("ftp://example.com", tokenA, nil)
	require.Error(t, err)
}

// TestOwnershipGatesCustom: under RequireOwnership a custom certificate is
// pending_ownership (not served) until a check sees the ownership TXT
// record with one of the values dns_requirements gives.
func TestOwnershipGatesCustom(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{requireOwnership: true})
	c := e.client(tokenA)
	ctx := e.ctx()
	const name = "owned.example.com"
	h, err := c.Import(ctx, upload(name, e.issue(name)))
	require.NoError(t, err)
	require.Equal(t, "pending_ownership", h.Status)
	require.Equal(t, "pending_ownership", h.Certificates[0].Status)
	_, err = c.Explain(ctx, name)
	require.ErrorIs(t, err, certs.ErrUnknownHost, "not served before ownership is proven")

	e.dns.Add(`_certs-ownership.owned.example.com. 300 IN TXT "` + h.DNSRequirements.Ownership.Values[1] + `"`)
	res, err := c.Check(ctx, name)
	require.NoError(t, err)
	require.True(t, res.OwnershipTXTConfigured)
	require.Equal(t, "active", res.Status)
	require.Equal(t, []string{"org-456"}, res.DNSRecords.OwnershipTXT)
	ex, err := c.Explain(ctx, name)
	require.NoError(t, err)
	require.Equal(t, "custom", ex.Source)
}

// TestMountedUnderPrefix: mounted with http.StripPrefix, the handler's
// Location headers and problem instances carry the prefix, and the client
// works with the prefixed base URL.
func TestMountedUnderPrefix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	authorize, err := api.BearerTokens(api.Token{Secret: tokenA, Tenant: "app-a", Scopes: []api.Scope{api.ScopeRead, api.ScopeWrite}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/platform/v1/", http.StripPrefix("/platform/v1", api.NewHandler(e.m, api.Config{Authorize: authorize})))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/platform/v1/certificates/acme", strings.NewReader(`{"hostname": "*.pre.example.com", "challenge": "dns-01"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tokenA)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusPreconditionFailed, resp.StatusCode, "no DNS provider here")

	c, err := api.NewClient(srv.URL+"/platform/v1", tokenA, srv.Client())
	require.NoError(t, err)
	_, err = c.Get(t.Context(), "*.pre.example.com")
	var p *api.Problem
	require.ErrorAs(t, err, &p)
	require.Equal(t, "/platform/v1/certificates/%2A.pre.example.com", p.Instance)

	req, err = http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/platform/v1/certificates/acme", strings.NewReader(`{"hostname": "pre.example.com"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tokenA)
	resp, err = srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Equal(t, "/platform/v1/certificates/pre.example.com", resp.Header.Get("Location"))
	h, err := c.Get(t.Context(), "pre.example.com")
	require.NoError(t, err)
	require.Equal(t, "pending_validation", h.Status)
}
