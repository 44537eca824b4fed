package api_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
)

// TestBadRequests: malformed requests get a 400 (or 404, 405, 406, 413,
// 415) problem whose code is stable and whose field names what is wrong;
// none of them is a 500 and none changes anything.
func TestBadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{maxBody: 64 << 10})
	a := e.doJSON(http.MethodPost, "/certificates/custom", tokenA, upload("held.example.com", e.issue("held.example.com")))
	require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		code, field              string
	}{
		{"malformed JSON", "POST", "/certificates/acme", `{"hostname": `, nil, 400, "invalid_json", ""},
		{"syntax error", "POST", "/certificates/acme", `{"hostname" "x"}`, nil, 400, "invalid_json", ""},
		{"not an object", "POST", "/certificates/acme", `["x.example.com"]`, nil, 400, "invalid_json", ""},
		{"two objects", "POST", "/certificates/acme", `{"hostname": "x.example.com"} {}`, nil, 400, "invalid_json", ""},
		{"empty body", "POST", "/certificates/acme", ``, nil, 400, "invalid_json", ""},
		{"unknown field", "POST", "/certificates/acme", `{"hostname": "x.example.com", "hostnme": "y"}`, nil, 400, "unknown_field", "hostnme"},
		{"wrong type", "POST", "/certificates/acme", `{"hostname": 42}`, nil, 400, "invalid_type", "hostname"},
		{"wrong type in a list", "POST", "/certificates/acme", `{"hostname": "x.example.com", "alternate_names": "www.x.example.com"}`, nil, 400, "invalid_type", "alternate_names"},
		{"wrong type of a flag", "POST", "/certificates/acme", `{"hostname": "x.example.com", "dry_run": "yes"}`, nil, 400, "invalid_type", "dry_run"},
		{"wrong type of a credential", "POST", "/certificates/acme", `{"hostname": "x.example.com", "dns_provider": "p", "dns_credentials": {"token": 1}}`, nil, 400, "invalid_type", "dns_credentials"},
		{"missing hostname", "POST", "/certificates/acme", `{}`, nil, 400, "missing_field", "hostname"},
		{"invalid hostname", "POST", "/certificates/acme", `{"hostname": "a..example.com"}`, nil, 400, "invalid_hostname", "hostname"},
		{"IP address", "POST", "/certificates/acme", `{"hostname": "192.0.2.1"}`, nil, 400, "invalid_hostname", "hostname"},
		{"invalid alternate name", "POST", "/certificates/acme", `{"hostname": "x.example.com", "alternate_names": ["ok.example.com", "bad name"]}`, nil, 400, "invalid_hostname", "alternate_names[1]"},
		{"unknown challenge", "POST", "/certificates/acme", `{"hostname": "x.example.com", "challenge": "http-02"}`, nil, 400, "invalid_challenge", "challenge"},
		{"unknown key type", "POST", "/certificates/acme", `{"hostname": "x.example.com", "key_type": "rsa1024"}`, nil, 400, "invalid_key_type", "key_type"},
		{"alt key of the same family", "POST", "/certificates/acme", `{"hostname": "x.example.com", "key_type": "ec256", "alt_key_type": "ec384"}`, nil, 400, "invalid_key_type", ""},
		{"credentials without provider", "POST", "/certificates/acme", `{"hostname": "x.example.com", "dns_credentials": {"token": "t"}}`, nil, 400, "invalid_dns_provider_options", "dns_provider"},
		{"reserved label", "POST", "/certificates/acme", `{"hostname": "x.example.com", "labels": {"certs.tenant": "other"}}`, nil, 400, "reserved_label", "labels.certs.tenant"},
		{"bad label key", "POST", "/certificates/acme", `{"hostname": "x.example.com", "labels": {"has space": "v"}}`, nil, 400, "invalid_label", "labels.has space"},
		{"long display name", "POST", "/certificates/acme", `{"hostname": "x.example.com", "display_name": "` + strings.Repeat("n", 300) + `"}`, nil, 400, "invalid_field", "display_name"},
		{"wildcard over http-01", "POST", "/certificates/acme", `{"hostname": "*.x.example.com", "challenge": "http-01"}`, nil, 422, "wildcard_needs_dns01", ""},
		{"not JSON", "POST", "/certificates/acme", `hostname=x.example.com`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type", ""},
		{"too large", "POST", "/certificates/custom", `{"hostname": "x.example.com", "fullchain": "` + strings.Repeat("A", 70<<10) + `"}`, nil, 413, "request_too_large", ""},
		{"fullchain and certificate", "POST", "/certificates/custom", `{"hostname": "x.example.com", "fullchain": "a", "certificate": "b", "private_key": "k"}`, nil, 400, "invalid_field", "certificate"},
		{"fullchain and chain", "POST", "/certificates/custom", `{"hostname": "x.example.com", "fullchain": "a", "chain": "b", "private_key": "k"}`, nil, 400, "invalid_field", "chain"},
		{"PKCS#12 and PEM", "POST", "/certificates/custom", `{"hostname": "x.example.com", "pkcs12": "AAAA", "private_key": "k"}`, nil, 400, "invalid_field", "pkcs12"},
		{"no certificate", "POST", "/certificates/custom", `{"hostname": "x.example.com", "private_key": "k"}`, nil, 400, "missing_field", "fullchain"},
		{"bad base64", "POST", "/certificates/custom", `{"hostname": "x.example.com", "certificate_der": "%%%", "private_key_der": "AAAA"}`, nil, 400, "invalid_field", "certificate_der"},
		{"password without PKCS#12", "POST", "/certificates/custom", `{"hostname": "x.example.com", "fullchain": "a", "private_key": "k", "password": "p"}`, nil, 400, "invalid_field", "password"},
		{"unknown reason", "POST", "/certificates/held.example.com/revoke", `{"reason": "bored"}`, nil, 400, "invalid_reason", "reason"},
		{"numeric reason", "POST", "/certificates/held.example.com/revoke", `{"reason": 1}`, nil, 400, "invalid_type", "reason"},
		{"auto_renew missing", "PATCH", "/certificates/held.example.com/acme", `{}`, nil, 400, "missing_field", "auto_renew"},
		{"metadata of the wrong type", "PUT", "/certificates/held.example.com/metadata", `{"labels": ["a"]}`, nil, 400, "invalid_type", "labels"},
		{"invalid hostname in the path", "GET", "/certificates/a..b", ``, nil, 400, "invalid_hostname", "hostname"},
		{"wildcard server name", "GET", "/explain/%2A.example.com", ``, nil, 400, "invalid_hostname", ""},
		{"unknown query parameter", "GET", "/certificates?limt=5", ``, nil, 400, "invalid_query", "limt"},
		{"limit too large", "GET", "/certificates?limit=501", ``, nil, 400, "invalid_query", "limit"},
		{"limit not a number", "GET", "/certificates?limit=ten", ``, nil, 400, "invalid_query", "limit"},
		{"unknown sort", "GET", "/certificates?sort=size", ``, nil, 400, "invalid_query", "sort"},
		{"unknown order", "GET", "/certificates?order=up", ``, nil, 400, "invalid_query", "order"},
		{"unknown status", "GET", "/certificates?status=active,happy", ``, nil, 400, "invalid_query", "status"},
		{"label without value", "GET", "/certificates?label=team", ``, nil, 400, "invalid_query", "label"},
		{"foreign cursor", "GET", "/certificates?cursor=abc", ``, nil, 400, "invalid_cursor", ""},
		{"foreign status cursor", "GET", "/certificates?status=active&cursor=abc", ``, nil, 400, "invalid_cursor", "cursor"},
		{"unknown source", "GET", "/certificates/held.example.com/download?source=fly", ``, nil, 400, "invalid_query", "source"},
		{"unknown kind", "GET", "/certificates/held.example.com/download?kind=root", ``, nil, 400, "invalid_query", "kind"},
		{"unacceptable download", "GET", "/certificates/held.example.com/download", ``, []string{"Accept", "text/html"}, 406, "not_acceptable", ""},
		{"no such endpoint", "GET", "/certificate", ``, nil, 404, "no_such_endpoint", ""},
		{"method not allowed", "PUT", "/certificates", `{}`, nil, 405, "method_not_allowed", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := e.do(tc.method, tc.path, tokenA, tc.body, tc.header...)
			p := a.problem(t, tc.status, tc.code)
			require.Equal(t, tc.field, p.Field)
			require.NotEmpty(t, p.Detail)
			require.Equal(t, strings.Split(tc.path, "?")[0], p.Instance)
			if tc.status == http.StatusMethodNotAllowed {
				require.Contains(t, a.header.Get("Allow"), "GET")
			}
		})
	}
	var list api.Page
	e.do(http.MethodGet, "/certificates", tokenA, "").json(t, &list)
	require.Equal(t, 1, list.TotalCount, "no bad request added anything")
}

// TestAuthentication: no token, an unknown token, a missing scope and no
// authorizer at all are refused, never with the token in any answer.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	held := "auth.example.com"
	require.Equal(t, http.StatusCreated, e.doJSON(http.MethodPost, "/certificates/custom", tokenA, upload(held, e.issue(held))).status)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            string
	}{
		{"no token", "GET", "/certificates", "", "", 401, "unauthenticated"},
		{"unknown token", "GET", "/certificates", "token-app-a-all-scopes-0009", "", 401, "unauthenticated"},
		{"prefix of a token", "GET", "/certificates", tokenA[:20], "", 401, "unauthenticated"},
		{"read token writes", "POST", "/certificates/acme", tokenARead, `{"hostname": "w.example.com"}`, 403, "forbidden"},
		{"read token deletes", "DELETE", "/certificates/" + held, tokenARead, "", 403, "forbidden"},
		{"read token reads the key", "GET", "/certificates/" + held + "/private_key", tokenARead, "", 403, "forbidden"},
		{"write token reads the key", "GET", "/certificates/" + held + "/private_key", tokenAWrite, "", 403, "forbidden"},
		{"write token reads", "GET", "/certificates/" + held, tokenAWrite, "", 403, "forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := e.do(tc.method, tc.path, tc.token, tc.body)
			a.problem(t, tc.status, tc.code)
			if tc.status == http.StatusUnauthorized {
				require.Equal(t, `Bearer realm="certificates"`, a.header.Get("WWW-Authenticate"))
			}
		})
	}
	a := e.do(http.MethodGet, "/certificates/"+held, "", "", "Authorization", "Basic "+tokenA)
	a.problem(t, http.StatusUnauthorized, "unauthenticated")
	a = e.do(http.MethodGet, "/certificates/"+held, "", "", "Authorization", "bearer "+tokenARead)
	require.Equal(t, http.StatusOK, a.status, "the scheme is case-insensitive")
	a = e.do(http.MethodGet, "/openapi.yaml", "", "")
	require.Equal(t, http.StatusOK, a.status, "the document needs no token")
	require.Equal(t, api.OpenAPI(), a.body)
	require.NotContains(t, e.logs.String(), tokenA[:20], "tokens are never logged")
}

// TestAuthorizerHook: what Config.Authorize says decides the answer: no
// authorizer refuses everything, ErrForbidden is 403, a principal without
// a tenant is 403, any other error is 401.
func TestAuthorizerHook(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	failing := errors.New("token database down")
	tests := []struct {
		name      string
		authorize func(*http.Request) (api.Principal, error)
		status    int
		code      string
	}{
		{"no authorizer", nil, 401, "unauthenticated"},
		{"unauthenticated", func(*http.Request) (api.Principal, error) { return api.Principal{}, api.ErrUnauthenticated }, 401, "unauthenticated"},
		{"forbidden", func(*http.Request) (api.Principal, error) {
			return api.Principal{}, fmt.Errorf("%w: the key is suspended", api.ErrForbidden)
		}, 403, "forbidden"},
		{"no tenant", func(*http.Request) (api.Principal, error) {
			return api.Principal{Subject: "x", Scopes: []api.Scope{api.ScopeRead}}, nil
		}, 403, "forbidden"},
		{"failing", func(*http.Request) (api.Principal, error) { return api.Principal{}, failing }, 401, "authorization_failed"},
		{"allowed", func(*http.Request) (api.Principal, error) {
			return api.Principal{Subject: "ops", Tenant: "app-z", Scopes: []api.Scope{api.ScopeRead}}, nil
		}, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(e.val.wrap(api.NewHandler(e.m, api.Config{Authorize: tc.authorize, Logger: slog.New(slog.NewTextHandler(e.logs, nil))})))
			defer srv.Close()
			c, err := api.NewClient(srv.URL, "", srv.Client())
			require.NoError(t, err)
			_, err = c.List(t.Context(), api.ListOptions{})
			if tc.status == http.StatusOK {
				require.NoError(t, err)
				return
			}
			var p *api.Problem
			require.ErrorAs(t, err, &p)
			require.Equal(t, tc.status, p.Status)
			require.Equal(t, tc.code, p.Code)
			require.NotContains(t, p.Detail, "database", "the authorizer's own error stays in the log")
		})
	}
	require.Contains(t, e.logs.String(), "token database down")
}
