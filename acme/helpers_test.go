package acme_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/challenge/tlsalpn01"
	legolog "github.com/go-acme/lego/v4/log"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

func TestMain(m *testing.M) {
	// lego's logger is process-global: route it once, before any test runs.
	legolog.Logger = acme.LegoLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// env is a Pebble with challenge solvers serving on its loopback ports.
type env struct {
	srv    *pebbletest.Server
	http01 *httpSolver
	alpn   *alpnSolver
	dns    *dnsProvider
}

func newEnv(t testing.TB, opts pebbletest.Options) *env {
	t.Helper()
	e := &env{srv: pebbletest.Start(t, opts), http01: newHTTPSolver(), alpn: newALPNSolver()}
	e.dns = &dnsProvider{srv: e.srv}
	e.srv.HandleHTTP01(t, e.http01)
	e.srv.HandleTLSALPN01(t, e.alpn.getCertificate)
	return e
}

// config returns a Config for this Pebble with a fresh in-memory store.
func (e *env) config(t testing.TB) acme.Config {
	return acme.Config{
		DirectoryURL: e.srv.DirectoryURL,
		AgreeTOS:     true,
		Email:        "ops@example.com",
		HTTPClient:   e.srv.HTTPClient(),
		Store:        store.NewMemory(),
		Logger:       testLogger(t),
		DNSResolvers: []string{e.srv.DNSAddr},
	}
}

func (e *env) issuer(t testing.TB, mod ...func(*acme.Config)) *acme.Issuer {
	t.Helper()
	cfg := e.config(t)
	for _, m := range mod {
		m(&cfg)
	}
	iss, err := acme.New(cfg)
	require.NoError(t, err)
	return iss
}

// request is an IssueRequest with every solver of e and profile "shortlived".
func (e *env) request(names ...string) certs.IssueRequest {
	return certs.IssueRequest{
		Names: names, Profile: "shortlived",
		HTTP01: e.http01, TLSALPN01: e.alpn, DNS01: e.dns,
	}
}

func testLogger(t testing.TB) *slog.Logger {
	if tt, ok := t.(interface{ Output() io.Writer }); ok {
		return slog.New(slog.NewTextHandler(tt.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// httpSolver serves HTTP-01 key authorizations.
type httpSolver struct {
	mu     sync.Mutex
	tokens map[string]string
	block  func(r *http.Request) // if set, called before answering
}

// setBlock makes the solver call f before answering each request.
func (s *httpSolver) setBlock(f func(r *http.Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.block = f
}

func newHTTPSolver() *httpSolver { return &httpSolver{tokens: map[string]string{}} }

func (s *httpSolver) Present(_ context.Context, _, token, keyAuth string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = keyAuth
	return nil
}

func (s *httpSolver) CleanUp(_ context.Context, _, token, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
	return nil
}

func (s *httpSolver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.URL.Path, "/.well-known/acme-challenge/")
	s.mu.Lock()
	block := s.block
	s.mu.Unlock()
	if block != nil {
		block(r)
	}
	s.mu.Lock()
	keyAuth, found := s.tokens[token]
	s.mu.Unlock()
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	_, _ = io.WriteString(w, keyAuth)
}

func (s *httpSolver) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// alpnSolver answers acme-tls/1 handshakes with challenge certificates.
type alpnSolver struct {
	mu    sync.Mutex
	certs map[string]*tls.Certificate
}

func newALPNSolver() *alpnSolver { return &alpnSolver{certs: map[string]*tls.Certificate{}} }

func (s *alpnSolver) Present(_ context.Context, domain, _, keyAuth string) error {
	c, err := tlsalpn01.ChallengeCert(domain, keyAuth)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certs[domain] = c
	return nil
}

func (s *alpnSolver) CleanUp(_ context.Context, domain, _, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.certs, domain)
	return nil
}

func (s *alpnSolver) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if !slices.Contains(hello.SupportedProtos, pebbletest.ACMETLS1Protocol) {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certs[hello.ServerName], nil
}

// dnsProvider writes DNS-01 records into Pebble's DNS server.
type dnsProvider struct {
	srv *pebbletest.Server
	mu  sync.Mutex
	log []certs.DNSRecord // presented records
}

func (p *dnsProvider) Present(_ context.Context, rec certs.DNSRecord) error {
	p.mu.Lock()
	p.log = append(p.log, rec)
	p.mu.Unlock()
	p.srv.AddTXT(rec.FQDN, rec.Value)
	return nil
}

func (p *dnsProvider) CleanUp(_ context.Context, rec certs.DNSRecord) error {
	p.srv.RemoveTXT(rec.FQDN, rec.Value)
	return nil
}

func (p *dnsProvider) presented() []certs.DNSRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.log)
}

// parseIssued parses and checks an issued certificate against Pebble's roots.
func (e *env) parseIssued(t testing.TB, ic *certs.IssuedCertificate) []*x509.Certificate {
	t.Helper()
	require.NotNil(t, ic)
	var chain []*x509.Certificate
	rest := ic.ChainPEM
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		require.NoError(t, err)
		chain = append(chain, c)
	}
	require.GreaterOrEqual(t, len(chain), 2, "leaf and intermediate")
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{Roots: e.srv.IssuerRoots, Intermediates: inter})
	require.NoError(t, err)
	kb, _ := pem.Decode(ic.KeyPEM)
	require.NotNil(t, kb)
	require.Equal(t, "PRIVATE KEY", kb.Type)
	_, err = tls.X509KeyPair(ic.ChainPEM, ic.KeyPEM)
	require.NoError(t, err, "key matches leaf")
	return chain
}

// counter counts the requests an Issuer sends, by path prefix.
type counter struct {
	base http.RoundTripper
	mu   sync.Mutex
	hits map[string]int
}

func newCounter(base http.RoundTripper) *counter {
	return &counter{base: base, hits: map[string]int{}}
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.hits[req.Method+" "+req.URL.Path]++
	c.mu.Unlock()
	return c.base.RoundTrip(req)
}

// count returns how many requests were sent with this method and path.
func (c *counter) count(methodPath string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits[methodPath]
}

// Pebble's endpoints.
const (
	newAccountPost = "POST /sign-me-up"
	newOrderPost   = "POST /order-plz"
)

// withCounter makes cfg send its requests through c.
func withCounter(c *counter) func(*acme.Config) {
	return func(cfg *acme.Config) {
		cfg.HTTPClient = &http.Client{Transport: c}
	}
}

// e2eRoots is a non-empty cert pool.
func e2eRoots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(&x509.Certificate{Raw: []byte{1}})
	return p
}
