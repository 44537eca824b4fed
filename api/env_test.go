package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
	"github.com/certs-dev/certs/webhook"
)

// The tokens of the test platform: tenant "app-a" has one of each scope
// and one with all; tenant "app-b" has one with all.
const (
	tokenA      = "token-app-a-all-scopes-0001"
	tokenARead  = "token-app-a-read-only-0002"
	tokenAWrite = "token-app-a-write-only-0003"
	tokenB      = "token-app-b-all-scopes-0004"
)

// platformDNS is where the platform's hostnames must point, and how
// ownership is proven.
var platformDNS = validate.RequirementsConfig{
	A:                 []string{"203.0.113.10"},
	CNAME:             "edge.platform.net",
	ACMEChallengeZone: "acme.platform-dns.net",
	OwnershipValues:   []string{"app-123", "org-456"},
}

// env is one platform: a Manager on a memory Store whose ACME orders go
// to an in-process Pebble (certstest) and whose DNS checks ask a real
// authoritative DNS server on loopback, behind the API handler on an
// httptest server. Every request and answer is checked against the
// OpenAPI document (validator).
type env struct {
	t     *testing.T
	ca    *certstest.CA
	dns   *dnstest.Server
	local *certstest.LocalCA
	m     *certs.Manager
	srv   *httptest.Server
	logs  *syncBuffer
	val   *validator
	hooks *webhook.Dispatcher // with envOptions.webhooks
}

// envOptions vary the platform.
type envOptions struct {
	requireOwnership bool
	newDNSProvider   func(name string, creds map[string]string) (certs.DNSProvider, error)
	acme             func(acme.Config) acme.Config // changes the issuer's config
	maxBody          int64
	webhooks         bool // run a webhook.Dispatcher and serve /webhooks
	perTenant        bool // each tenant's own ownership values (tenantDNS)
}

// tenantDNS are the per-tenant requirements of envOptions.perTenant: the
// platform's addresses, and each tenant's own named ownership values.
func tenantDNS(_ string, labels map[string]string) *validate.RequirementsConfig {
	tenant := labels[certs.TenantLabel]
	if tenant == "" {
		return nil
	}
	cfg := platformDNS
	cfg.OwnershipValues = nil
	cfg.OwnershipNamed = map[string]string{"app_value": tenant + "-app-value", "org_value": tenant + "-org-value"}
	return &cfg
}

func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	e := &env{t: t, ca: certstest.Start(t), logs: &syncBuffer{}}
	local, err := certstest.NewLocalCA()
	require.NoError(t, err)
	e.local = local
	e.dns = dnstest.Start(t,
		dnstest.Zone{Name: "example.com"},
		dnstest.Zone{Name: "platform.net", Records: []string{"edge A 203.0.113.10"}},
	)
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	acfg := e.ca.ACMEConfig()
	acfg.Logger = logger
	if opts.acme != nil {
		acfg = opts.acme(acfg)
	}
	iss, err := acme.New(acfg)
	require.NoError(t, err)
	e.m, err = certs.New(certs.Config{
		Store: store.NewMemory(), Issuer: iss, Logger: logger, Roots: local.Roots(),
		NewDNSProvider: opts.newDNSProvider,
		DNS: certs.DNSConfig{RequirementsConfig: platformDNS, RequireOwnership: opts.requireOwnership,
			Resolvers: []string{e.dns.Addr()}, NameserverPort: e.dns.Port(), Timeout: 2 * time.Second},
	})
	require.NoError(t, err)
	if opts.perTenant {
		e.m, err = certs.New(certs.Config{
			Store: store.NewMemory(), Issuer: iss, Logger: logger, Roots: local.Roots(),
			DNS: certs.DNSConfig{RequirementsConfig: platformDNS, RequirementsFor: tenantDNS,
				Resolvers: []string{e.dns.Addr()}, NameserverPort: e.dns.Port(), Timeout: 2 * time.Second},
		})
		require.NoError(t, err)
	}
	e.ca.HandleHTTP01(e.m.HTTPHandler(nil))
	e.ca.HandleTLSALPN01(e.m.GetCertificate)
	authorize, err := api.BearerTokens(
		api.Token{Secret: tokenA, Subject: "a-all", Tenant: "app-a", Scopes: []api.Scope{api.ScopeRead, api.ScopeWrite, api.ScopeKeys}},
		api.Token{Secret: tokenARead, Subject: "a-read", Tenant: "app-a", Scopes: []api.Scope{api.ScopeRead}},
		api.Token{Secret: tokenAWrite, Subject: "a-write", Tenant: "app-a", Scopes: []api.Scope{api.ScopeWrite}},
		api.Token{Secret: tokenB, Subject: "b-all", Tenant: "app-b", Scopes: []api.Scope{api.ScopeRead, api.ScopeWrite, api.ScopeKeys}},
	)
	require.NoError(t, err)
	if opts.webhooks {
		e.hooks = startDispatcher(t, e.m, logger)
	}
	h := api.NewHandler(e.m, api.Config{Authorize: authorize, Logger: logger, MaxBodyBytes: opts.maxBody, Webhooks: e.hooks})
	e.val = newValidator(t)
	e.srv = httptest.NewServer(e.val.wrap(h))
	t.Cleanup(e.srv.Close)
	return e
}

// ctx is a context for one test step.
func (e *env) ctx() context.Context {
	ctx, cancel := context.WithTimeout(e.t.Context(), time.Minute)
	e.t.Cleanup(cancel)
	return ctx
}

// client is an API client with token.
func (e *env) client(token string) *api.Client {
	c, err := api.NewClient(e.srv.URL, token, e.srv.Client())
	require.NoError(e.t, err)
	return c
}

// answer is an HTTP answer read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the answer's body into v.
func (a answer) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(a.body, v), "body: %s", a.body)
}

// problem decodes a problem answer and checks its status and code.
func (a answer) problem(t *testing.T, status int, code string) api.Problem {
	t.Helper()
	require.Equal(t, status, a.status, "body: %s", a.body)
	require.Equal(t, "application/problem+json", a.header.Get("Content-Type"))
	var p api.Problem
	a.json(t, &p)
	require.Equal(t, code, p.Code, "detail: %s", p.Detail)
	require.Equal(t, status, p.Status)
	require.Equal(t, api.ProblemTypeBase+code, p.Type)
	return p
}

// do sends a request with token (none when empty) and a raw body.
func (e *env) do(method, path, token, body string, header ...string) answer {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(e.ctx(), method, e.srv.URL+path, rd)
	require.NoError(e.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// doJSON sends v as JSON.
func (e *env) doJSON(method, path, token string, v any) answer {
	e.t.Helper()
	b, err := json.Marshal(v)
	require.NoError(e.t, err)
	return e.do(method, path, token, string(b))
}

// issue signs a certificate for names with the platform-trusted local CA.
func (e *env) issue(names ...string) certs.Input {
	e.t.Helper()
	in, err := e.local.Issue(90*24*time.Hour, names...)
	require.NoError(e.t, err)
	return in
}

// upload is an ImportCustom of in for hostname.
func upload(hostname string, in certs.Input) api.ImportCustom {
	return api.ImportCustom{Hostname: hostname, Upload: api.Upload{Fullchain: string(in.Certificate), PrivateKey: string(in.PrivateKey)}}
}

// issueACME places the pending orders now, as the scheduler would.
func (e *env) issueACME() {
	e.m.RenewDue(e.ctx())
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (the logs).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startDispatcher runs a webhook.Dispatcher on m's Store that accepts
// http receivers (httptest) and gives a delivery up quickly (after two
// attempts within 300 ms), so that tests see failures and redeliveries.
func startDispatcher(t *testing.T, m *certs.Manager, logger *slog.Logger) *webhook.Dispatcher {
	t.Helper()
	d, err := webhook.New(t.Context(), webhook.Config{Manager: m, Store: m.Store(), AllowHTTP: true, Logger: logger,
		Timeout: 5 * time.Second, Backoff: []time.Duration{50 * time.Millisecond}, RetryFor: 300 * time.Millisecond})
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = d.Run(context.Background())
	}()
	t.Cleanup(func() {
		d.Close()
		<-done
	})
	return d
}
