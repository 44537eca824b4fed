package certs_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	legolog "github.com/go-acme/lego/v4/log"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

func TestMain(m *testing.M) {
	// lego logs through a process-global logger: route it once.
	legolog.Logger = acme.LegoLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// acmeEnv is a Manager whose Issuer talks to an in-process Pebble, with the
// Manager itself answering the challenges: its HTTPHandler on Pebble's
// HTTP-01 port and its GetCertificate on the TLS-ALPN-01 port.
type acmeEnv struct {
	t      *testing.T
	srv    *pebbletest.Server
	m      *certs.Manager
	store  certs.Store
	orders *countingIssuer
	dns    *pebbleDNS
}

type acmeOpts struct {
	srv       *pebbletest.Server // default: a new Pebble
	directory string             // default: the Pebble's
	clock     func() time.Time
	store     certs.Store
}

func newACMEEnv(t *testing.T, o acmeOpts) *acmeEnv {
	t.Helper()
	srv := o.srv
	if srv == nil {
		srv = pebbletest.Start(t, pebbletest.Options{})
	}
	e := &acmeEnv{t: t, srv: srv, store: o.store, dns: &pebbleDNS{srv: srv}}
	if e.store == nil {
		e.store = store.NewMemory()
	}
	dir := o.directory
	if dir == "" {
		dir = srv.DirectoryURL
	}
	iss, err := acme.New(acme.Config{
		DirectoryURL: dir, AgreeTOS: true, Email: "ops@example.com",
		HTTPClient: srv.HTTPClient(), Store: e.store, Logger: quiet(),
		DNSResolvers: []string{srv.DNSAddr}, DefaultProfile: "shortlived",
		// challtestsrv answers at once; skipping the propagation wait lets
		// a provider that publishes nothing fail at the CA, as it would.
		PropagationTimeout: -1,
	})
	require.NoError(t, err)
	e.orders = &countingIssuer{Issuer: iss}
	e.m, err = certs.New(certs.Config{Store: e.store, Issuer: e.orders, DNSProvider: e.dns,
		Logger: quiet(), Clock: o.clock})
	require.NoError(t, err)
	srv.HandleHTTP01(t, e.m.HTTPHandler(nil))
	srv.HandleTLSALPN01(t, e.m.GetCertificate)
	return e
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// countingIssuer counts the orders that reach the real issuer.
type countingIssuer struct {
	*acme.Issuer
	issued atomic.Int64
}

func (c *countingIssuer) Issue(ctx context.Context, req certs.IssueRequest) (*certs.IssuedCertificate, error) {
	if !req.DryRun {
		c.issued.Add(1)
	}
	return c.Issuer.Issue(ctx, req)
}

// pebbleDNS presents DNS-01 records in Pebble's DNS server; broken drops
// them instead (a provider that reports success but publishes nothing).
type pebbleDNS struct {
	srv     *pebbletest.Server
	broken  atomic.Bool
	present atomic.Int64
	cleaned atomic.Int64
}

func (p *pebbleDNS) Present(_ context.Context, rec certs.DNSRecord) error {
	p.present.Add(1)
	if !p.broken.Load() {
		p.srv.AddTXT(rec.FQDN, rec.Value)
	}
	return nil
}

func (p *pebbleDNS) CleanUp(_ context.Context, rec certs.DNSRecord) error {
	p.cleaned.Add(1)
	p.srv.RemoveTXT(rec.FQDN, rec.Value)
	return nil
}

// leafOf is the certificate GetCertificate serves for name.
func leafOf(t *testing.T, m *certs.Manager, name string) *x509.Certificate {
	t.Helper()
	c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
	require.NoError(t, err)
	return c.Leaf
}

func TestObtainEveryChallenge(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	events := recordEvents(e.m)
	tests := []struct {
		name      string
		host      string
		challenge certs.ChallengeType
		alt       []string
		keyType   certs.KeyType
	}{
		{"http-01", pebbletest.UniqueDomain(""), certs.ChallengeHTTP01, nil, ""},
		{"tls-alpn-01", pebbletest.UniqueDomain(""), certs.ChallengeTLSALPN01, nil, certs.KeyRSA2048},
		{"dns-01 wildcard plus apex", "*." + pebbletest.UniqueDomain(""), certs.ChallengeDNS01, nil, certs.KeyEC384},
		{"alternate names", pebbletest.UniqueDomain(""), "", []string{"www.alt.test", "api.alt.test"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alt := tc.alt
			if tc.challenge == certs.ChallengeDNS01 {
				alt = []string{tc.host[2:]} // the apex beside the wildcard
			}
			before := len(events.all())
			h, err := e.m.Obtain(ctxT(t), tc.host, certs.ObtainOptions{Challenge: tc.challenge, AltNames: alt, KeyType: tc.keyType})
			require.NoError(t, err)
			require.Equal(t, certs.StatusActive, h.Status)
			require.NotNil(t, h.ACME)
			require.True(t, h.ACMERequested)
			require.True(t, h.ACME.AutoRenew)
			require.ElementsMatch(t, append([]string{tc.host}, alt...), h.ACME.SANs)
			require.NotNil(t, h.ACME.NextRenewalAt)
			serve := tc.host
			if tc.challenge == certs.ChallengeDNS01 {
				serve = "anything" + tc.host[1:]
			}
			require.Equal(t, h.ACME.Serial, fmt.Sprintf("%x", leafOf(t, e.m, serve).SerialNumber))

			// Exactly one event: issued, for the order's hostname, carrying
			// the certificate now served.
			got := events.all()[before:]
			require.Len(t, got, 1, "events: %v", got)
			ev := got[0]
			require.Equal(t, certs.EventIssued, ev.Type)
			require.Equal(t, tc.host, ev.Hostname)
			require.Equal(t, certs.SourceACME, ev.Source)
			require.Empty(t, ev.Err)
			require.NotNil(t, ev.Certificate)
			require.Equal(t, h.ACME.FingerprintSHA256, ev.Certificate.FingerprintSHA256)
			require.Equal(t, h.ACME.Serial, ev.Certificate.Serial)
		})
	}
	require.Zero(t, len(e.srv.TXT("_acme-challenge."+tests[2].host[2:]+".")), "TXT records cleaned up")
	var want []string
	for _, tc := range tests {
		want = append(want, "issued "+tc.host)
	}
	require.Equal(t, want, events.summary(), "one issued event per order, in order, nothing else")
}

// eventLog records a Manager's events (Manager.Subscribe).
type eventLog struct {
	mu     sync.Mutex
	events []certs.Event
	// stop unsubscribes.
	stop func()
}

func recordEvents(m *certs.Manager) *eventLog {
	l := &eventLog{}
	l.stop = m.Subscribe(func(ev certs.Event) {
		l.mu.Lock()
		l.events = append(l.events, ev)
		l.mu.Unlock()
	})
	return l
}

// all returns a copy of the events so far.
func (l *eventLog) all() []certs.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// summary is "type hostname" per event.
func (l *eventLog) summary() []string {
	var out []string
	for _, ev := range l.all() {
		out = append(out, string(ev.Type)+" "+ev.Hostname)
	}
	return out
}

func TestObtainKeepsCustomFirst(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	ca := testpki.NewCA(t)
	custom := ca.Leaf(t, []string{host}, testpki.LeafOptions{})
	_, err := e.m.Import(ctx, host, certs.Input{Certificate: custom.ChainPEM(), PrivateKey: custom.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)

	h, err := e.m.Obtain(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	require.NotNil(t, h.ACME)
	require.Equal(t, custom.Cert.Raw, leafOf(t, e.m, host).Raw, "a valid custom certificate keeps priority")

	_, err = e.m.RemoveCustom(ctx, host)
	require.NoError(t, err)
	acmeLeaf := leafOf(t, e.m, host)
	require.Equal(t, h.ACME.FingerprintSHA256, fingerprint(acmeLeaf))

	// Import again, revoke the ACME certificate: the custom one is served,
	// and after RemoveCustom nothing is.
	_, err = e.m.Import(ctx, host, certs.Input{Certificate: custom.ChainPEM(), PrivateKey: custom.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)
	h, err = e.m.Revoke(ctx, host, certs.ReasonKeyCompromise)
	require.NoError(t, err)
	require.Equal(t, certs.StatusRevoked, h.ACME.Status)
	require.False(t, h.ACME.AutoRenew)
	status, err := e.srv.CertStatus(ctx, acmeLeaf.SerialNumber)
	require.NoError(t, err)
	require.Equal(t, "Revoked", status)
	require.Equal(t, custom.Cert.Raw, leafOf(t, e.m, host).Raw)

	_, err = e.m.Revoke(ctx, host, certs.ReasonKeyCompromise)
	require.ErrorIs(t, err, certs.ErrAlreadyRevoked)
	_, err = e.m.RemoveCustom(ctx, host)
	require.NoError(t, err)
	_, err = e.m.GetCertificate(&tls.ClientHelloInfo{ServerName: host})
	require.ErrorIs(t, err, certs.ErrUnknownHost, "a revoked certificate is never served")
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

func TestObtainFailureRecordedNothingServedChanges(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	first, err := e.m.Obtain(ctx, host, certs.ObtainOptions{Challenge: certs.ChallengeHTTP01})
	require.NoError(t, err)
	served := leafOf(t, e.m, host)

	// A DNS provider that publishes nothing: the CA finds no TXT record.
	e.dns.broken.Store(true)
	defer e.dns.broken.Store(false)
	_, err = e.m.Renew(ctx, host, certs.RenewOptions{}) // renews with http-01 (the obtained options): still fine
	require.NoError(t, err)
	served = leafOf(t, e.m, host)

	_, err = e.m.Obtain(ctx, host, certs.ObtainOptions{Challenge: certs.ChallengeDNS01, AltNames: []string{"www." + host}})
	require.ErrorIs(t, err, certs.ErrValidationFailed)
	var verr *certs.ValidationError
	require.True(t, errors.As(err, &verr))
	require.NotEmpty(t, verr.Problems)
	require.Equal(t, certs.ChallengeDNS01, verr.Problems[0].Challenge)
	require.NotEmpty(t, verr.Problems[0].Detail)
	require.NotEmpty(t, verr.Problems[0].Hint)

	h, err := e.m.Get(ctx, host)
	require.NoError(t, err)
	require.NotEmpty(t, h.ValidationErrors, "the problems are recorded on the hostname")
	require.Equal(t, certs.StatusActive, h.Status, "the valid certificate keeps serving")
	require.Equal(t, served.Raw, leafOf(t, e.m, host).Raw)
	require.Equal(t, first.ACME.Names, h.ACME.Names)
	require.Equal(t, e.dns.present.Load(), e.dns.cleaned.Load(), "TXT records are cleaned up on failure")
}

func TestTenConcurrentObtainsPlaceOneOrder(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	host := pebbletest.UniqueDomain("")
	var wg sync.WaitGroup
	serials := make([]string, 10)
	for i := range serials {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := e.m.Obtain(ctxT(t), host, certs.ObtainOptions{})
			require.NoError(t, err)
			serials[i] = h.ACME.Serial
		}()
	}
	wg.Wait()
	require.EqualValues(t, 1, e.orders.issued.Load())
	for _, s := range serials {
		require.Equal(t, serials[0], s)
	}
	// A later Obtain of the same names is idempotent: no new order.
	_, err := e.m.Obtain(ctxT(t), host, certs.ObtainOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, e.orders.issued.Load())
}

func TestObtainPreflight(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	ctx := ctxT(t)
	tests := []struct {
		name string
		host string
		opts certs.ObtainOptions
		want error
	}{
		{"wildcard over http-01", "*.pre.test", certs.ObtainOptions{Challenge: certs.ChallengeHTTP01}, certs.ErrWildcardNeedsDNS01},
		{"wildcard alt name over tls-alpn-01", "pre.test", certs.ObtainOptions{Challenge: certs.ChallengeTLSALPN01, AltNames: []string{"*.pre.test"}}, certs.ErrWildcardNeedsDNS01},
		{"bad key type", "pre.test", certs.ObtainOptions{KeyType: "rsa1024"}, certs.ErrInvalidKeyType},
		{"bad challenge", "pre.test", certs.ObtainOptions{Challenge: "smtp-01"}, certs.ErrInvalidChallenge},
		{"bad hostname", "pre..test", certs.ObtainOptions{}, certs.ErrInvalidHostname},
		{"bad alt name", "pre.test", certs.ObtainOptions{AltNames: []string{"a/b"}}, certs.ErrInvalidHostname},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.m.Obtain(ctx, tc.host, tc.opts)
			require.ErrorIs(t, err, tc.want)
		})
	}
	// Dry run: every check, no order, nothing stored.
	host := pebbletest.UniqueDomain("")
	h, err := e.m.Obtain(ctx, host, certs.ObtainOptions{DryRun: true})
	require.NoError(t, err)
	require.Equal(t, certs.StatusPendingValidation, h.Status)
	require.Nil(t, h.ACME)
	require.Zero(t, e.orders.issued.Load())
	_, err = e.m.Get(ctx, host)
	require.ErrorIs(t, err, certs.ErrNotFound, "a dry run stores nothing")
	// A dry run that cannot succeed says why.
	_, err = e.m.Obtain(ctx, host, certs.ObtainOptions{DryRun: true, Profile: "no-such-profile"})
	require.ErrorIs(t, err, acme.ErrUnknownProfile)

	noDNS, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: e.orders, Logger: quiet()})
	require.NoError(t, err)
	_, err = noDNS.Obtain(ctx, "*.pre.test", certs.ObtainOptions{})
	require.ErrorIs(t, err, certs.ErrNoDNSProvider)
}

func TestRenewRecordsRenewedFrom(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	first, err := e.m.Obtain(ctx, host, certs.ObtainOptions{Challenge: certs.ChallengeTLSALPN01, KeyType: certs.KeyRSA2048})
	require.NoError(t, err)
	renewed, err := e.m.Renew(ctx, host, certs.RenewOptions{})
	require.NoError(t, err)
	require.NotEqual(t, first.ACME.Serial, renewed.ACME.Serial)
	require.NotNil(t, renewed.ACME.RenewedFrom)
	require.True(t, renewed.ACME.RenewedFrom.Equal(first.ACME.NotBefore))
	require.Equal(t, "rsa", renewed.ACME.KeyType, "renewal keeps the key type")
	require.Equal(t, renewed.ACME.Serial, fmt.Sprintf("%x", leafOf(t, e.m, host).SerialNumber))
	st, err := e.m.Status(ctx, host)
	require.NoError(t, err)
	require.NotNil(t, st.LastRenewAttempt)
	require.Empty(t, st.LastRenewError)
}

// TestSchedulerRenewsAtTwoThirdsAndInsideARIWindow moves the Manager's
// clock and lets RenewDue do what the scheduler does.
func TestSchedulerRenewsAtTwoThirdsAndInsideARIWindow(t *testing.T) {
	clock := &manualClock{now: time.Now()}
	e := newACMEEnv(t, acmeOpts{clock: clock.Now})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	h, err := e.m.Obtain(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	// Pebble offers ARI; its default window is the last third. The
	// shortlived profile gives 6 days.
	e.m.RenewDue(ctx)
	h, err = e.m.Get(ctx, host)
	require.NoError(t, err)
	require.NotNil(t, h.ACME.ARICheckedAt)
	require.NotNil(t, h.ACME.ARIWindowStart)
	require.Equal(t, int64(1), e.orders.issued.Load(), "not due yet")

	// Force an ARI window that is open now through Pebble's management API.
	start, end := clock.Now().Add(-time.Hour), clock.Now().Add(-time.Minute)
	require.NoError(t, e.srv.SetRenewalInfo(ctx, []byte(h.ACME.ChainPEM),
		fmt.Sprintf(`{"suggestedWindow":{"start":%q,"end":%q}}`, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))))
	clock.Add(13 * time.Hour) // next ARI fetch is due (about twice a day)
	e.m.RenewDue(ctx)
	renewed, err := e.m.Get(ctx, host)
	require.NoError(t, err)
	require.Equal(t, int64(2), e.orders.issued.Load(), "renewed inside the forced window")
	require.NotEqual(t, h.ACME.Serial, renewed.ACME.Serial)
	require.NotNil(t, renewed.ACME.RenewedFrom)
}

type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *manualClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// TestRateLimitBackoff puts a proxy answering new-order with 429 and
// Retry-After in front of Pebble.
func TestRateLimitBackoff(t *testing.T) {
	srv := pebbletest.Start(t, pebbletest.Options{})
	var limited atomic.Bool
	target, err := url.Parse(srv.DirectoryURL)
	require.NoError(t, err)
	target.Path = ""
	// Pebble builds its URLs from the Host header, which the proxy keeps,
	// so that the client keeps talking to the proxy.
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.Roots}},
	}
	proxy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limited.Load() && r.Method == http.MethodPost && r.URL.Path == "/order-plz" {
			w.Header().Set("Retry-After", "3600")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many certificates already issued","status":429}`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	// The clock stands a little ahead of the CA's: Pebble's NotBefore
	// (whole seconds, at issuance) must not fall after it.
	clock := &manualClock{now: time.Now().Add(2 * time.Second)}
	e := newACMEEnv(t, acmeOpts{srv: srv, directory: proxy.URL + "/dir", clock: clock.Now})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	_, err = e.m.Obtain(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)

	limited.Store(true)
	before := clock.Now()
	_, err = e.m.Renew(ctx, host, certs.RenewOptions{})
	require.ErrorIs(t, err, certs.ErrRateLimited)
	var rl *certs.RateLimitError
	require.True(t, errors.As(err, &rl))
	h, err := e.m.Get(ctx, host)
	require.NoError(t, err)
	require.NotNil(t, h.RateLimitedUntil)
	require.WithinDuration(t, time.Now().Add(time.Hour), *h.RateLimitedUntil, 5*time.Second)
	require.Equal(t, 1, h.ACME.FailureCount)
	require.NotNil(t, h.ACME.NextRenewalAt)
	require.False(t, h.ACME.NextRenewalAt.Before(*h.RateLimitedUntil), "the backoff honours Retry-After")
	require.Contains(t, h.ACME.LastRenewError, "rate limited")
	require.True(t, h.ACME.LastRenewAttempt.Equal(before))
	require.Equal(t, certs.StatusActive, h.Status, "the valid certificate keeps serving")

	// While rate limited, Obtain of another name set does not reach the CA.
	orders := e.orders.issued.Load()
	_, err = e.m.Obtain(ctx, host, certs.ObtainOptions{AltNames: []string{"www." + host}})
	require.ErrorIs(t, err, certs.ErrRateLimited)
	require.Equal(t, orders, e.orders.issued.Load())
}

func TestObtainCancelledMidOrder(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	host := pebbletest.UniqueDomain("")
	// Make DNS-01 slow: the provider blocks until the context is done.
	block := &blockingDNS{entered: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := e.m.Obtain(ctx, host, certs.ObtainOptions{Challenge: certs.ChallengeDNS01, DNSProvider: block})
		done <- err
	}()
	<-block.entered
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, time.Since(start), 5*time.Second)
	case <-time.After(20 * time.Second):
		t.Fatal("Obtain did not return after cancellation")
	}
	_, err := e.m.GetCertificate(&tls.ClientHelloInfo{ServerName: host})
	require.ErrorIs(t, err, certs.ErrUnknownHost)
}

type blockingDNS struct{ entered chan struct{} }

func (b *blockingDNS) Present(ctx context.Context, _ certs.DNSRecord) error {
	select {
	case b.entered <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return ctx.Err()
}

func (b *blockingDNS) CleanUp(context.Context, certs.DNSRecord) error { return nil }

func TestHTTPHandlerFallback(t *testing.T) {
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Logger: quiet()})
	require.NoError(t, err)
	tests := []struct {
		method, path string
		want         int
		location     string
	}{
		{http.MethodGet, "/.well-known/acme-challenge/unknown", http.StatusNotFound, ""},
		{http.MethodGet, "/page?q=1", http.StatusFound, "https://example.com/page?q=1"},
		{http.MethodPost, "/form", http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(tc.method, "http://example.com:80"+tc.path, nil)
			m.HTTPHandler(nil).ServeHTTP(rec, req)
			require.Equal(t, tc.want, rec.Code)
			require.Equal(t, tc.location, rec.Header().Get("Location"))
		})
	}
}

// TestTwoProcessesRenewOnce runs two Managers on one filesystem store (a
// Locker), as two replicas would: renewing on both at once places one
// order, and both end up serving the new certificate.
func TestTwoProcessesRenewOnce(t *testing.T) {
	fs, err := store.NewFS(t.TempDir())
	require.NoError(t, err)
	e := newACMEEnv(t, acmeOpts{store: fs})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	first, err := e.m.Obtain(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	other, err := certs.New(certs.Config{Store: fs, Issuer: e.orders, Logger: quiet()})
	require.NoError(t, err)
	require.Equal(t, first.ACME.Serial, fmt.Sprintf("%x", leafOf(t, other, host).SerialNumber))

	var wg sync.WaitGroup
	for _, m := range []*certs.Manager{e.m, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := m.Renew(ctx, host, certs.RenewOptions{})
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	require.EqualValues(t, 2, e.orders.issued.Load(), "one Obtain, one renewal")
	a, b := leafOf(t, e.m, host), leafOf(t, other, host)
	require.Equal(t, a.Raw, b.Raw, "both replicas serve the renewed certificate")
	require.NotEqual(t, first.ACME.Serial, fmt.Sprintf("%x", a.SerialNumber))
}

// TestStartRenewsWhatIsDue runs the real scheduler loop: a certificate
// whose ARI window has opened is renewed without any call but Start, Stop
// returns, and Start on a running Manager is refused.
func TestStartRenewsWhatIsDue(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	h, err := e.m.Obtain(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	past := time.Now().Add(-time.Hour).UTC()
	require.NoError(t, e.srv.SetRenewalInfo(ctx, []byte(h.ACME.ChainPEM), fmt.Sprintf(
		`{"suggestedWindow":{"start":%q,"end":%q}}`, past.Format(time.RFC3339), past.Add(time.Minute).Format(time.RFC3339))))
	var mu sync.Mutex
	var got []certs.EventType
	e.m.Subscribe(func(ev certs.Event) { mu.Lock(); got = append(got, ev.Type); mu.Unlock() })

	require.NoError(t, e.m.Start(ctx))
	require.ErrorIs(t, e.m.Start(ctx), certs.ErrAlreadyRunning)
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(got, certs.EventRenewed)
	}, 20*time.Second, 20*time.Millisecond)
	e.m.Stop()
	e.m.Stop() // idempotent
	require.EqualValues(t, 2, e.orders.issued.Load())
	renewed, err := e.m.Get(ctx, host)
	require.NoError(t, err)
	require.NotEqual(t, h.ACME.Serial, renewed.ACME.Serial)
	require.True(t, renewed.ACME.NextRenewalAt.After(time.Now()), "the new certificate is not due")
}
