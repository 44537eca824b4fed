package certs_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// orderEnv is a Manager on an in-process Pebble, like acmeEnv, with a
// manual clock that the scheduler follows (RenewDue) and a Config that
// each test adjusts. It answers HTTP-01 and TLS-ALPN-01 itself and presents
// DNS-01 records in Pebble's DNS through dns, unless the test changes the
// Config's providers.
type orderEnv struct {
	srv    *pebbletest.Server
	m      *certs.Manager
	cfg    certs.Config
	orders *countingIssuer
	dns    *pebbleDNS
	clock  *manualClock
	events *eventLog
}

type orderEnvOpts struct {
	srv       *pebbletest.Server // default: a new Pebble
	directory string             // default: the Pebble's
	config    func(*certs.Config)
}

func newOrderEnv(t *testing.T, o orderEnvOpts) *orderEnv {
	t.Helper()
	srv := o.srv
	if srv == nil {
		srv = pebbletest.Start(t, pebbletest.Options{})
	}
	dir := o.directory
	if dir == "" {
		dir = srv.DirectoryURL
	}
	iss, err := acme.New(acme.Config{
		DirectoryURL: dir, AgreeTOS: true, Email: "ops@example.com",
		HTTPClient: srv.HTTPClient(), Store: store.NewMemory(), Logger: quiet(),
		DNSResolvers: []string{srv.DNSAddr}, DefaultProfile: "shortlived", PropagationTimeout: -1,
	})
	require.NoError(t, err)
	// The clock runs a minute ahead of Pebble's, so that a certificate
	// issued during the test is valid at the Manager's now.
	e := &orderEnv{srv: srv, orders: &countingIssuer{Issuer: iss}, dns: &pebbleDNS{srv: srv},
		clock: &manualClock{now: time.Now().Add(time.Minute)}}
	e.cfg = certs.Config{Store: store.NewMemory(), Issuer: e.orders, DNSProvider: e.dns, Logger: quiet(), Clock: e.clock.Now}
	if o.config != nil {
		o.config(&e.cfg)
	}
	e.m, err = certs.New(e.cfg)
	require.NoError(t, err)
	e.events = recordEvents(e.m)
	srv.HandleHTTP01(t, e.m.HTTPHandler(nil))
	srv.HandleTLSALPN01(t, e.m.GetCertificate)
	return e
}

// get is the stored hostname.
func (e *orderEnv) get(t *testing.T, host string) *certs.Host {
	t.Helper()
	h, err := e.m.Get(ctxT(t), host)
	require.NoError(t, err)
	return h
}

// requireTime checks that got is set and equal to want.
func requireAt(t *testing.T, want time.Time, got *time.Time, msg string) {
	t.Helper()
	require.NotNil(t, got, msg)
	require.True(t, want.Equal(*got), "%s: want %s, got %s", msg, want, *got)
}
