package certs

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"
)

// ocspFixture is a fixture with a responder for its intermediate CA (which
// issues the fixture's leaves) and a TLS server on the Manager.
type ocspFixture struct {
	*fixture
	rp   *ocspResponder
	addr string
}

func newOCSPFixture(t *testing.T, mod ...func(*Config)) *ocspFixture {
	t.Helper()
	f := newFixture(t, mod...)
	return &ocspFixture{fixture: f, rp: newOCSPResponder(t, f.inter, f.clock.Now), addr: tlsServer(t, f.m.TLSConfig())}
}

// ocspLeaf issues a leaf for host that names the fixture's responder.
func (f *ocspFixture) ocspLeaf(host string, opts testpki.LeafOptions) *testpki.Leaf {
	if opts.OCSPServer == nil {
		opts.OCSPServer = []string{f.rp.URL}
	}
	return f.leaf([]string{host}, opts)
}

func fingerprint(l *testpki.Leaf) string { return factsOf(l).FingerprintSHA256 }

func TestOCSPStapledAfterRenewDue(t *testing.T) {
	ctx := context.Background()
	f := newOCSPFixture(t)
	host := "stapled.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, leaf)

	// Nothing is fetched in a handshake: until the scheduler runs, none is
	// stapled.
	requireNoStaple(t, f.addr, host, f.ca.Pool(), leaf)
	require.Zero(t, f.rp.Hits())

	f.m.RenewDue(ctx)
	require.Equal(t, 1, f.rp.Hits())
	require.Equal(t, []string{"GET"}, f.rp.methods, "short requests use GET (RFC 5019)")
	require.Zero(t, f.rp.serials[0].Cmp(leaf.Cert.SerialNumber))

	tls12 := func(c *tls.Config) { c.MaxVersion = tls.VersionTLS12 }
	for _, tc := range []struct {
		name string
		mod  []func(*tls.Config)
	}{{"TLS 1.3", nil}, {"TLS 1.2", []func(*tls.Config){tls12}}} {
		t.Run(tc.name, func(t *testing.T) {
			requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert, tc.mod...)
		})
	}

	o := f.mustGet(host).Custom.OCSP
	require.NotNil(t, o)
	require.Equal(t, OCSPGood, o.Status)
	require.True(t, o.Stapled)
	require.Equal(t, f.rp.URL, o.Responder)
	require.Empty(t, o.LastError)
	half := o.ThisUpdate.Add(o.NextUpdate.Sub(*o.ThisUpdate) / 2)
	require.WithinDuration(t, half, *o.NextRefreshAt, time.Second, "refreshed halfway through its validity")
	at, ok := f.m.sched.scheduled(host)
	require.True(t, ok)
	require.WithinDuration(t, half, at, time.Second, "the scheduler wakes for the refresh")

	blob, err := f.store.GetBlob(ctx, stapleKey(fingerprint(leaf)))
	require.NoError(t, err, "the response is kept in the Store")
	_, err = ocsp.ParseResponseForCert(blob, leaf.Cert, f.inter.Cert)
	require.NoError(t, err)

	f.m.RenewDue(ctx)
	require.Equal(t, 1, f.rp.Hits(), "not asked again before the refresh time")

	// The hot path stays allocation-free with a staple.
	hello := &tls.ClientHelloInfo{ServerName: host}
	require.Zero(t, testing.AllocsPerRun(100, func() { _, _ = f.m.GetCertificate(hello) }))

	// Removing the hostname deletes the response it kept.
	require.NoError(t, f.m.Remove(ctx, host))
	_, err = f.store.GetBlob(ctx, stapleKey(fingerprint(leaf)))
	require.ErrorIs(t, err, ErrNotFound)
}

func TestOCSPRestartStaplesWithoutFetching(t *testing.T) {
	ctx := context.Background()
	f := newOCSPFixture(t)
	host := "restart.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, leaf)
	f.m.RenewDue(ctx)
	require.Equal(t, 1, f.rp.Hits())

	// A new Manager on the same Store: a restart, or another replica.
	m2, err := New(Config{Store: f.store, Roots: f.ca.Pool(), Clock: f.clock.Now, Logger: quietLogger()})
	require.NoError(t, err)
	addr2 := tlsServer(t, m2.TLSConfig())
	requireStaple(t, addr2, host, f.ca.Pool(), leaf, f.inter.Cert)
	m2.RenewDue(ctx)
	require.NoError(t, m2.Start(ctx))
	m2.Stop()
	m2.RenewDue(ctx)
	require.Equal(t, 1, f.rp.Hits(), "the stored response is reused")
	requireStaple(t, addr2, host, f.ca.Pool(), leaf, f.inter.Cert)
}

func TestOCSPReplicaPicksUpStoredResponse(t *testing.T) {
	ctx := context.Background()
	f := newOCSPFixture(t)
	host := "replica.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, leaf)
	other, err := New(Config{Store: f.store, Roots: f.ca.Pool(), Clock: f.clock.Now, Logger: quietLogger()})
	require.NoError(t, err)
	addr2 := tlsServer(t, other.TLSConfig())
	requireNoStaple(t, addr2, host, f.ca.Pool(), leaf)

	f.m.RenewDue(ctx) // this replica fetches and stores it
	require.NoError(t, other.ReloadHostname(ctx, host))
	requireStaple(t, addr2, host, f.ca.Pool(), leaf, f.inter.Cert)
	require.Equal(t, 1, f.rp.Hits())
}

// handshakesDuring calls GetCertificate for host in a loop, failing the
// test if one fails, until the returned function is called.
func handshakesDuring(t *testing.T, m *Manager, host string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		hello := &tls.ClientHelloInfo{ServerName: host}
		for {
			select {
			case <-done:
				return
			default:
			}
			if c, err := m.GetCertificate(hello); err != nil || c == nil {
				t.Error("handshake failed during a refresh", err)
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// recordEvents subscribes to m until the test ends and returns what was
// received so far.
func recordEvents(t *testing.T, m *Manager) func() []Event {
	var mu sync.Mutex
	var events []Event
	t.Cleanup(m.Subscribe(func(ev Event) { mu.Lock(); events = append(events, ev); mu.Unlock() }))
	return func() []Event {
		mu.Lock()
		defer mu.Unlock()
		return append([]Event(nil), events...)
	}
}

func TestOCSPRefreshHalfwayAndAfterFailures(t *testing.T) {
	ctx := context.Background()
	f := newOCSPFixture(t)
	host := "refresh.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, leaf)
	f.m.RenewDue(ctx)
	first := requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)

	defer handshakesDuring(t, f.m, host)()

	f.clock.Add(24 * time.Hour)
	f.m.RenewDue(ctx)
	require.Equal(t, 1, f.rp.Hits(), "a 4-day response is not refreshed after one day")

	f.setClockTo(*f.mustGet(host).Custom.OCSP.NextRefreshAt)
	f.m.RenewDue(ctx)
	require.Equal(t, 2, f.rp.Hits(), "refreshed halfway")
	second := requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)
	require.True(t, second.ThisUpdate.After(first.ThisUpdate), "the new response is stapled")

	// The responder fails: the response held goes on being stapled, with
	// retries after 1, 10 and 60 minutes.
	f.rp.setAnswer(answerHTTP500)
	f.setClockTo(*f.mustGet(host).Custom.OCSP.NextRefreshAt)
	for i, wait := range []time.Duration{time.Minute, 10 * time.Minute, time.Hour, time.Hour} {
		f.m.RenewDue(ctx)
		o := f.mustGet(host).Custom.OCSP
		require.Equal(t, i+1, o.FailureCount)
		require.Contains(t, o.LastError, "HTTP 500")
		require.Equal(t, OCSPGood, o.Status)
		requireTime(t, f.clock.Now().Add(wait), o.NextRefreshAt, "retry")
		requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)
		f.setClockTo(*o.NextRefreshAt)
	}

	// Once it expires it is no longer stapled; handshakes go on.
	f.setClockTo(second.NextUpdate.Add(time.Second))
	f.m.RenewDue(ctx)
	requireNoStaple(t, f.addr, host, f.ca.Pool(), leaf)
	require.False(t, f.mustGet(host).Custom.OCSP.Stapled)

	f.rp.setAnswer(answerGood)
	f.setClockTo(*f.mustGet(host).Custom.OCSP.NextRefreshAt)
	f.m.RenewDue(ctx)
	requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)
	require.Zero(t, f.mustGet(host).Custom.OCSP.FailureCount)
}

func TestOCSPUnverifiedResponsesNotStapled(t *testing.T) {
	tests := []struct {
		name    string
		answer  ocspAnswer
		dead    bool
		wantErr string
	}{
		{name: "wrong signer", answer: answerWrongSigner, wantErr: "bad OCSP signature"},
		{name: "another CA's responder", answer: answerForeignCert, wantErr: "bad OCSP signature"},
		{name: "delegated responder without OCSPSigning", answer: answerDelegatedNoEKU, wantErr: "not authorized to sign OCSP"},
		{name: "wrong serial", answer: answerWrongSerial, wantErr: "no response matching"},
		{name: "expired", answer: answerExpired, wantErr: "expired"},
		{name: "not yet valid", answer: answerFuture, wantErr: "not valid yet"},
		{name: "status unknown", answer: answerUnknown, wantErr: "status unknown"},
		{name: "tryLater", answer: answerTryLater, wantErr: "try later"},
		{name: "HTTP 500", answer: answerHTTP500, wantErr: "HTTP 500"},
		{name: "not OCSP", answer: answerGarbage, wantErr: "does not verify"},
		{name: "dead responder", dead: true, wantErr: "connection refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newOCSPFixture(t)
			f.rp.setAnswer(tc.answer)
			host := "bad.example.com"
			opts := testpki.LeafOptions{}
			if tc.dead {
				opts.OCSPServer = []string{deadResponderURL(t)}
			}
			leaf := f.ocspLeaf(host, opts)
			f.importLeaf(host, leaf)
			f.m.RenewDue(context.Background())

			requireNoStaple(t, f.addr, host, f.ca.Pool(), leaf)
			o := f.mustGet(host).Custom.OCSP
			require.NotNil(t, o)
			require.Empty(t, o.Status)
			require.False(t, o.Stapled)
			require.Contains(t, o.LastError, tc.wantErr)
			require.Equal(t, 1, o.FailureCount)
			requireTime(t, f.clock.Now().Add(time.Minute), o.NextRefreshAt, "retry")
			_, err := f.store.GetBlob(context.Background(), stapleKey(fingerprint(leaf)))
			require.ErrorIs(t, err, ErrNotFound, "nothing is stored")
		})
	}
}

func TestOCSPDelegatedResponderStapled(t *testing.T) {
	f := newOCSPFixture(t)
	f.rp.setAnswer(answerDelegated)
	host := "delegated.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, leaf)
	f.m.RenewDue(context.Background())
	requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)
}

func TestOCSPSecondResponderTried(t *testing.T) {
	f := newOCSPFixture(t)
	host := "second.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{OCSPServer: []string{deadResponderURL(t), "ldap://nowhere", ""}})
	f.importLeaf(host, leaf)
	f.m.RenewDue(context.Background())
	o := f.mustGet(host).Custom.OCSP
	require.Contains(t, o.LastError, "connection refused")
	require.Contains(t, o.LastError, "not an http(s) URL")

	leaf = f.ocspLeaf(host, testpki.LeafOptions{OCSPServer: []string{deadResponderURL(t), f.rp.URL}})
	f.importLeaf(host, leaf)
	f.m.RenewDue(context.Background())
	requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)
	require.Equal(t, f.rp.URL, f.mustGet(host).Custom.OCSP.Responder)
}

func TestOCSPRevokedIsRecordedAndReported(t *testing.T) {
	tests := []struct {
		name     string
		withACME bool
	}{
		{name: "falls back to the ACME certificate", withACME: true},
		{name: "a lone certificate stops being served"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newOCSPFixture(t)
			host := "revoked.example.com"
			var acme *testpki.Leaf
			if tc.withACME {
				acme = f.leaf([]string{host}, testpki.LeafOptions{})
				f.putACME(host, acme)
			}
			leaf := f.ocspLeaf(host, testpki.LeafOptions{})
			f.importLeaf(host, leaf)
			f.m.RenewDue(ctx)
			requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)

			events := recordEvents(t, f.m)
			f.rp.setAnswer(answerRevoked)
			f.setClockTo(*f.mustGet(host).Custom.OCSP.NextRefreshAt)
			f.m.RenewDue(ctx)

			h := f.mustGet(host)
			c := h.Custom
			require.Equal(t, StatusRevoked, c.Status)
			require.Equal(t, OCSPRevoked, c.OCSP.Status)
			require.False(t, c.OCSP.Stapled)
			require.NotNil(t, c.RevokedAt)
			require.WithinDuration(t, f.clock.Now().Add(-24*time.Hour), *c.RevokedAt, 2*time.Second, "the CA's revocation time")
			require.Equal(t, c.RevokedAt, c.OCSP.RevokedAt)
			require.Equal(t, ReasonKeyCompromise, *c.RevocationReason)
			require.Nil(t, c.OCSP.NextRefreshAt)
			evs := events()
			require.Len(t, evs, 1)
			require.Equal(t, EventRevoked, evs[0].Type)
			require.Equal(t, SourceCustom, evs[0].Source)
			require.Equal(t, OCSPRevoked, evs[0].Certificate.OCSP.Status)

			if tc.withACME {
				got, err := handshake(t, f.addr, host, f.ca.Pool())
				require.NoError(t, err)
				require.Equal(t, acme.Cert.Raw, got.Raw)
			} else {
				_, err := handshake(t, f.addr, host, f.ca.Pool())
				require.Error(t, err)
				require.Equal(t, StatusRevoked, h.Status)
			}
			f.clock.Add(30 * 24 * time.Hour)
			f.m.RenewDue(ctx)
			require.Equal(t, 2, f.rp.Hits(), "a revoked certificate's responder is not asked again")
		})
	}
}

func TestOCSPMustStaple(t *testing.T) {
	tests := []struct {
		name     string
		withACME bool
	}{
		{name: "with an ACME certificate beside it", withACME: true},
		{name: "alone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newOCSPFixture(t)
			host := "muststaple.example.com"
			var acme *testpki.Leaf
			if tc.withACME {
				acme = f.leaf([]string{host}, testpki.LeafOptions{})
				f.putACME(host, acme)
			}
			leaf := f.ocspLeaf(host, testpki.LeafOptions{MustStaple: true})
			require.True(t, mustStaple(leaf.Cert))
			f.importLeaf(host, leaf)

			ex, err := f.m.Explain(ctx, host)
			require.NoError(t, err)
			if tc.withACME {
				// Without its response a client enforcing Must-Staple would
				// refuse it: the ACME certificate is served meanwhile.
				requireNoStaple(t, f.addr, host, f.ca.Pool(), acme)
				require.Equal(t, SourceACME, ex.Source)
				require.Contains(t, ex.Reason, "Must-Staple")
			} else {
				requireNoStaple(t, f.addr, host, f.ca.Pool(), leaf)
			}

			f.m.RenewDue(ctx)
			requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)
			ex, err = f.m.Explain(ctx, host)
			require.NoError(t, err)
			require.Equal(t, SourceCustom, ex.Source)
		})
	}
}

func TestOCSPStoppedByDisableOCSPStapling(t *testing.T) {
	ctx := context.Background()
	f := newOCSPFixture(t, func(c *Config) { c.DisableOCSPStapling = true })
	host := "off.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, leaf)
	f.m.RenewDue(ctx)
	f.clock.Add(10 * 24 * time.Hour)
	f.m.RenewDue(ctx)
	require.Zero(t, f.rp.Hits())
	requireNoStaple(t, f.addr, host, f.ca.Pool(), leaf)
	require.Nil(t, f.mustGet(host).Custom.OCSP)
}

func TestOCSPUntrustedChainNotAsked(t *testing.T) {
	ctx := context.Background()
	f := newOCSPFixture(t)
	other := testpki.NewCA(t).Intermediate(t) // not under Config.Roots
	host := "untrusted.example.com"
	leaf := other.Leaf(t, []string{host}, testpki.LeafOptions{OCSPServer: []string{f.rp.URL}})
	f.importLeaf(host, leaf)
	f.m.RenewDue(ctx)
	require.Zero(t, f.rp.Hits(), "the responder of a certificate that does not chain to a trusted root is never asked")
	o := f.mustGet(host).Custom.OCSP
	require.Contains(t, o.LastError, "does not verify against the trusted roots")
	require.Zero(t, o.FailureCount)
	requireTime(t, f.clock.Now().Add(24*time.Hour), o.NextRefreshAt, "look again")
}

func TestOCSPWithStart(t *testing.T) {
	f := newOCSPFixture(t)
	host := "started.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, leaf)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, f.m.Start(ctx))
	defer f.m.Stop()
	require.Eventually(t, func() bool {
		cs, err := stapledHandshake(t, f.addr, host, f.ca.Pool())
		return err == nil && len(cs.OCSPResponse) > 0
	}, 10*time.Second, 10*time.Millisecond)
	requireStaple(t, f.addr, host, f.ca.Pool(), leaf, f.inter.Cert)
}

func TestOCSPStoredResponseDroppedWithItsCertificate(t *testing.T) {
	ctx := context.Background()
	f := newOCSPFixture(t)
	host := "replaced.example.com"
	old := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, old)
	f.m.RenewDue(ctx)
	_, err := f.store.GetBlob(ctx, stapleKey(fingerprint(old)))
	require.NoError(t, err)

	f.importLeaf(host, f.ocspLeaf(host, testpki.LeafOptions{}))
	_, err = f.store.GetBlob(ctx, stapleKey(fingerprint(old)))
	require.ErrorIs(t, err, ErrNotFound)
}

func TestOCSPMissingStoredResponseFetchedAgain(t *testing.T) {
	ctx := context.Background()
	f := newOCSPFixture(t)
	host := "lost.example.com"
	leaf := f.ocspLeaf(host, testpki.LeafOptions{})
	f.importLeaf(host, leaf)
	f.m.RenewDue(ctx)
	require.NoError(t, f.store.DeleteBlob(ctx, stapleKey(fingerprint(leaf))))

	m2, err := New(Config{Store: f.store, Roots: f.ca.Pool(), Clock: f.clock.Now, Logger: quietLogger()})
	require.NoError(t, err)
	addr2 := tlsServer(t, m2.TLSConfig())
	requireNoStaple(t, addr2, host, f.ca.Pool(), leaf)
	require.NoError(t, m2.Start(ctx))
	defer m2.Stop()
	require.Eventually(t, func() bool { return f.rp.Hits() == 2 }, 10*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool {
		cs, err := stapledHandshake(t, addr2, host, f.ca.Pool())
		return err == nil && len(cs.OCSPResponse) > 0
	}, 10*time.Second, 10*time.Millisecond)
}

func TestOCSPRefreshAt(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		this, next time.Duration // from now
		want       time.Duration // from now
	}{
		{"halfway through a fresh 7-day response", 0, 7 * 24 * time.Hour, 84 * time.Hour},
		{"halfway already passed: an hour", -5 * 24 * time.Hour, 2 * 24 * time.Hour, time.Hour},
		{"at most seven days", 0, 30 * 24 * time.Hour, 7 * 24 * time.Hour},
		{"valid for 40 more minutes: in 20", -20 * time.Minute, 40 * time.Minute, 20 * time.Minute},
		{"never under a minute", -time.Minute, 30 * time.Second, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ocspRefreshAt(now.Add(tc.this), now.Add(tc.next), now)
			require.Equal(t, now.Add(tc.want), got)
		})
	}
}

func TestMustStapleDetection(t *testing.T) {
	ca := testpki.NewCA(t)
	require.True(t, mustStaple(ca.Leaf(t, []string{"a.example.com"}, testpki.LeafOptions{MustStaple: true}).Cert))
	require.False(t, mustStaple(ca.Leaf(t, []string{"a.example.com"}, testpki.LeafOptions{}).Cert))
	require.False(t, mustStaple(nil))
}

// TestOCSPStoppedContextRecordsNothing checks that a fetch interrupted by
// the caller (Stop) is not recorded as a failure of the responder.
func TestOCSPStoppedContextRecordsNothing(t *testing.T) {
	f := newOCSPFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	}))
	defer srv.Close()
	host := "cancel.example.com"
	f.importLeaf(host, f.ocspLeaf(host, testpki.LeafOptions{OCSPServer: []string{srv.URL}}))
	f.m.RenewDue(ctx)
	require.Error(t, ctx.Err())
	require.Nil(t, f.mustGet(host).Custom.OCSP)
}
