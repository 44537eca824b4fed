package certs_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// writeCounter is a Memory store that counts record writes.
type writeCounter struct {
	*store.Memory
	puts atomic.Int64
}

func (w *writeCounter) Put(ctx context.Context, rec *store.Record) error {
	w.puts.Add(1)
	return w.Memory.Put(ctx, rec)
}

// onDemandEnv is a Manager with on-demand TLS against an in-process Pebble,
// serving real TLS handshakes on loopback.
type onDemandEnv struct {
	srv     *pebbletest.Server
	m       *certs.Manager
	st      *writeCounter
	orders  *countingIssuer
	addr    string
	decided atomic.Int64
}

func newOnDemandEnv(t *testing.T, decide func(context.Context, string) error, st *writeCounter, mod ...func(*certs.OnDemandConfig)) *onDemandEnv {
	t.Helper()
	e := &onDemandEnv{srv: pebbletest.Start(t, pebbletest.Options{}), st: st}
	if e.st == nil {
		e.st = &writeCounter{Memory: store.NewMemory()}
	}
	iss, err := acme.New(acme.Config{DirectoryURL: e.srv.DirectoryURL, AgreeTOS: true, Email: "ops@example.com",
		HTTPClient: e.srv.HTTPClient(), Logger: quiet(), DNSResolvers: []string{e.srv.DNSAddr}, DefaultProfile: "shortlived"})
	require.NoError(t, err)
	e.orders = &countingIssuer{Issuer: iss}
	od := &certs.OnDemandConfig{Wait: 30 * time.Second, MaxPerMinute: 100, Decide: func(ctx context.Context, name string) error {
		e.decided.Add(1)
		return decide(ctx, name)
	}}
	for _, fn := range mod {
		fn(od)
	}
	e.m, err = certs.New(certs.Config{Store: e.st, Issuer: e.orders, Logger: quiet(), OnDemand: od})
	require.NoError(t, err)
	e.srv.HandleTLSALPN01(t, e.m.GetCertificate)
	e.addr = serveTLSOn(t, e.m.TLSConfig())
	return e
}

func TestOnDemandRandomNamesUnderDenyPolicy(t *testing.T) {
	e := newOnDemandEnv(t, certs.AllowNames("only.example.com"), nil)
	for i := range 1000 {
		sni := fmt.Sprintf("scan-%d-%x.example.net", i, rand.Uint64())
		_, err := peerLeaf(t, e.addr, sni)
		require.Error(t, err)
	}
	// The same names again cost no decision at all: they are remembered.
	require.Equal(t, int64(1000), e.decided.Load())
	_, err := e.m.GetCertificate(&tls.ClientHelloInfo{ServerName: "scan-0-0.example.net"})
	require.ErrorIs(t, err, certs.ErrOnDemandDenied)
	_, err = e.m.GetCertificate(&tls.ClientHelloInfo{ServerName: "scan-0-0.example.net"})
	require.ErrorIs(t, err, certs.ErrOnDemandDenied)
	require.Equal(t, int64(1001), e.decided.Load(), "a denied name is remembered")
	require.Zero(t, e.orders.issued.Load(), "no order placed")
	require.Zero(t, e.st.puts.Load(), "nothing written to the Store")
}

func TestOnDemandOneOrderForManyHandshakes(t *testing.T) {
	name := pebbletest.UniqueDomain("")
	e := newOnDemandEnv(t, certs.AllowSuffixes("test"), nil)
	var wg sync.WaitGroup
	serials := make([]string, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			leaf, err := peerLeaf(t, e.addr, name)
			if err == nil {
				serials[i] = leaf.SerialNumber.String()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i := range 50 {
		require.NoError(t, errs[i], "handshake %d", i)
		require.Equal(t, serials[0], serials[i], "every handshake got the one certificate")
	}
	require.Equal(t, int64(1), e.orders.issued.Load(), "one order for 50 simultaneous handshakes")
	h, err := e.m.Get(ctxT(t), name)
	require.NoError(t, err)
	require.Equal(t, certs.StatusActive, h.Status)
}

func TestOnDemandDeadPolicyStillServesStored(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/ask"
	dead.Close() // nothing answers there any more
	shared := &writeCounter{Memory: store.NewMemory()}
	e := newOnDemandEnv(t, certs.AskURL(deadURL, nil), shared)

	// One held certificate, and one another replica stored after this
	// Manager started.
	ca := testpki.NewCA(t)
	held := ca.Leaf(t, []string{"held.example.com"}, testpki.LeafOptions{})
	_, err := e.m.Import(ctxT(t), "held.example.com", certs.Input{Certificate: held.ChainPEM(), PrivateKey: held.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)
	replica, err := certs.New(certs.Config{Store: shared, Logger: quiet()})
	require.NoError(t, err)
	other := ca.Leaf(t, []string{"*.other.example.com"}, testpki.LeafOptions{})
	_, err = replica.Import(ctxT(t), "*.other.example.com", certs.Input{Certificate: other.ChainPEM(), PrivateKey: other.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)

	for sni, want := range map[string]*testpki.Leaf{"held.example.com": held, "a.other.example.com": other, "b.other.example.com": other} {
		got, err := peerLeaf(t, e.addr, sni)
		require.NoError(t, err, sni)
		require.Equal(t, want.Cert.Raw, got.Raw, sni)
	}
	require.Zero(t, e.decided.Load(), "the policy is never asked for what is held or stored")
	_, err = e.m.GetCertificate(&tls.ClientHelloInfo{ServerName: "new.example.com"})
	require.ErrorIs(t, err, certs.ErrOnDemandDenied, "a new name is denied while the policy endpoint is dead")
	require.Zero(t, e.orders.issued.Load())
}

// TestOnDemandHandshakeGivesUpOrderGoesOn: a handshake waits a bounded
// time and fails cleanly; the order goes on, and a later handshake gets the
// certificate without a second order.
func TestOnDemandHandshakeGivesUpOrderGoesOn(t *testing.T) {
	name := pebbletest.UniqueDomain("")
	e := newOnDemandEnv(t, certs.AllowNames(name), nil, func(c *certs.OnDemandConfig) { c.Wait = time.Millisecond })
	_, err := e.m.GetCertificate(&tls.ClientHelloInfo{ServerName: name})
	require.ErrorIs(t, err, certs.ErrOnDemandPending)
	deadline := time.Now().Add(30 * time.Second)
	for {
		leaf, err := peerLeaf(t, e.addr, name)
		if err == nil {
			require.Equal(t, []string{name}, leaf.DNSNames)
			break
		}
		require.True(t, time.Now().Before(deadline), "the order never completed: %v", err)
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, int64(1), e.orders.issued.Load())
}

func TestOnDemandConfig(t *testing.T) {
	_, err := certs.New(certs.Config{Store: store.NewMemory(), OnDemand: &certs.OnDemandConfig{}})
	require.ErrorIs(t, err, certs.ErrInvalidConfig, "on-demand needs a policy")
	_, err = certs.New(certs.Config{Store: store.NewMemory(), OnDemand: &certs.OnDemandConfig{Decide: certs.AllowNames("a.test")}})
	require.ErrorIs(t, err, certs.ErrInvalidConfig, "on-demand needs an issuer")
}

func TestOnDemandPolicies(t *testing.T) {
	var asked atomic.Value
	ask := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(r.URL.Query().Get("domain"))
		if r.URL.Query().Get("domain") != "yes.example.com" {
			http.Error(w, "no", http.StatusForbidden)
		}
	}))
	t.Cleanup(ask.Close)
	tests := []struct {
		name   string
		policy func(context.Context, string) error
		host   string
		allow  bool
	}{
		{"names: listed", certs.AllowNames("A.example.com"), "a.example.com", true},
		{"names: not listed", certs.AllowNames("a.example.com"), "b.example.com", false},
		{"names: wildcard", certs.AllowNames("*.example.com"), "b.example.com", true},
		{"names: wildcard is one label", certs.AllowNames("*.example.com"), "c.b.example.com", false},
		{"suffix: below", certs.AllowSuffixes("example.com"), "c.b.example.com", true},
		{"suffix: not the domain itself", certs.AllowSuffixes("example.com"), "example.com", false},
		{"suffix: not a lookalike", certs.AllowSuffixes("example.com"), "badexample.com", false},
		{"ask: 2xx allows", certs.AskURL(ask.URL+"/check?x=1", nil), "yes.example.com", true},
		{"ask: 403 denies", certs.AskURL(ask.URL+"/check", nil), "no.example.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy(context.Background(), tc.host)
			if tc.allow {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, certs.ErrOnDemandDenied)
		})
	}
	require.Equal(t, "no.example.com", asked.Load(), "the ask endpoint gets the name as ?domain=")
}
