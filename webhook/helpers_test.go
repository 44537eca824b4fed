package webhook_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/webhook"
)

// clock is a settable clock shared by the Manager, the Dispatcher and the
// receiver.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// receiver is a real HTTPS endpoint on loopback. It verifies every
// request's signature at the shared clock, answers with fail's status
// (200 when fail is nil or returns 0) and records what it accepted.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	clock  *clock
	secret webhook.Secret

	mu       sync.Mutex
	fail     func(p *webhook.Payload, n int) int // n counts the requests for p.ID, from 1
	requests map[string]int
	accepted []webhook.Payload
	headers  []http.Header
	arrived  chan struct{} // one value per accepted request
}

func newReceiver(t *testing.T, c *clock) *receiver {
	r := &receiver{t: t, clock: c, requests: map[string]int{}, arrived: make(chan struct{}, 1000)}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	secret := r.secret
	r.mu.Unlock()
	p, err := webhook.VerifyRequest(req, secret, r.clock.Now(), 0)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests[p.ID]++
	if r.fail != nil {
		if code := r.fail(p, r.requests[p.ID]); code != 0 {
			http.Error(w, "not now", code)
			return
		}
	}
	r.accepted = append(r.accepted, *p)
	r.headers = append(r.headers, req.Header.Clone())
	r.arrived <- struct{}{}
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) setFail(fn func(p *webhook.Payload, n int) int) {
	r.mu.Lock()
	r.fail = fn
	r.mu.Unlock()
}

func (r *receiver) got() []webhook.Payload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhook.Payload(nil), r.accepted...)
}

// byHost returns the accepted events of each hostname, in arrival order,
// as "type" strings.
func byHost(ps []webhook.Payload) map[string][]string {
	out := map[string][]string{}
	for _, p := range ps {
		out[p.Hostname] = append(out[p.Hostname], string(p.Type))
	}
	return out
}

// env is a Manager on a Store, trusting a local CA, with a Dispatcher.
type env struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	clock *clock
	ca    *certstest.LocalCA
	m     *certs.Manager
	d     *webhook.Dispatcher
	logs  *syncBuffer
	cfg   webhook.Config
}

func newEnv(t *testing.T, st store.Store, c *clock, ca *certstest.LocalCA, cfg webhook.Config) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), st: st, clock: c, ca: ca, logs: &syncBuffer{}}
	var err error
	e.m, err = certs.New(certs.Config{Store: st, Roots: ca.Roots(), Clock: c.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	cfg.Manager, cfg.Store, cfg.Clock = e.m, st, c.Now
	if cfg.Client == nil {
		cfg.Client = receiverClient(t)
	}
	cfg.Logger = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.cfg = cfg
	e.d, err = webhook.New(e.ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(e.d.Close)
	return e
}

func newCA(t *testing.T) *certstest.LocalCA {
	ca, err := certstest.NewLocalCA()
	require.NoError(t, err)
	return ca
}

// subscribe adds a subscription to r and makes r verify with its secret.
func (e *env) subscribe(r *receiver, tenant string, events ...certs.EventType) *webhook.Subscription {
	e.t.Helper()
	s, err := e.d.AddSubscription(e.ctx, webhook.Subscription{Tenant: tenant, URL: r.srv.URL, Events: events})
	require.NoError(e.t, err)
	r.mu.Lock()
	r.secret = s.Secret
	r.mu.Unlock()
	return s
}

// importCert imports a new certificate for host.
func (e *env) importCert(host string) *certs.Host {
	e.t.Helper()
	in, err := e.ca.Issue(90*24*time.Hour, host)
	require.NoError(e.t, err)
	h, err := e.m.Import(e.ctx, host, in, certs.ImportOptions{})
	require.NoError(e.t, err)
	return h
}

func (e *env) setTenant(host, tenant string) {
	e.t.Helper()
	_, err := e.m.SetMetadata(e.ctx, host, certs.Metadata{Labels: map[string]string{webhook.TenantLabel: tenant}})
	require.NoError(e.t, err)
}

// deliverDue runs DeliverDue at the current time.
func (e *env) deliverDue() {
	e.t.Helper()
	require.NoError(e.t, e.d.DeliverDue(e.ctx))
}

// deliveries lists every delivery of sub, newest first.
func (e *env) deliveries(sub string, opts webhook.ListOptions) []webhook.Delivery {
	e.t.Helper()
	opts.Limit = 500
	page, err := e.d.Deliveries(e.ctx, sub, opts)
	require.NoError(e.t, err)
	return page.Deliveries
}

// syncBuffer is a bytes.Buffer safe for concurrent writes (slog handlers
// write from the delivery goroutines).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// receiverClient trusts the certificate of every httptest TLS server.
func receiverClient(t *testing.T) *http.Client {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}
