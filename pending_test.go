package certs_test

import (
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// TestPendingOrderRetriedUntilIssued: a first Obtain whose name points
// elsewhere fails and stays pending; the scheduler retries it once the
// backoff has passed, and it succeeds once DNS is fixed.
func TestPendingOrderRetriedUntilIssued(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	e.srv.SetA(host, "127.0.0.2") // the CA's HTTP-01 connection is refused
	start := e.clock.Now()
	_, err := e.m.Obtain(ctx, host, certs.ObtainOptions{Challenge: certs.ChallengeHTTP01})
	require.ErrorIs(t, err, certs.ErrValidationFailed)

	h := e.get(t, host)
	require.Equal(t, certs.StatusPendingValidation, h.Status)
	require.Nil(t, h.ACME)
	require.NotNil(t, h.Pending)
	require.Equal(t, []string{host}, h.Pending.Names)
	require.Equal(t, certs.ChallengeHTTP01, h.Pending.Options.Challenge)
	require.Equal(t, 1, h.Pending.Attempts)
	require.NotEmpty(t, h.Pending.LastError)
	requireAt(t, start, h.Pending.LastAttemptAt, "last attempt")
	requireAt(t, start.Add(time.Minute), h.Pending.NextAttemptAt, "next attempt")
	require.True(t, h.Pending.RequestedAt.Equal(start))

	e.m.RenewDue(ctx) // not due yet
	require.EqualValues(t, 1, e.orders.issued.Load())

	e.srv.ClearA(host) // the name points here now
	e.clock.Add(time.Minute + time.Second)
	e.m.RenewDue(ctx)
	require.EqualValues(t, 2, e.orders.issued.Load())
	h = e.get(t, host)
	require.Nil(t, h.Pending, "issued: the order is no longer pending")
	require.NotNil(t, h.ACME)
	require.Equal(t, certs.StatusActive, h.Status)
	require.Empty(t, h.ValidationErrors)
	require.Equal(t, h.ACME.Serial, fmt.Sprintf("%x", leafOf(t, e.m, host).SerialNumber))
	require.Equal(t, []string{"obtain_failed " + host, "issued " + host}, e.events.summary())
}

// TestPendingOrderBackoff: each failed attempt moves the next one on the
// backoff (1 min, 10 min, 100 min, then daily), and nothing is attempted
// before it is due.
func TestPendingOrderBackoff(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	ctx := ctxT(t)
	host := "*." + pebbletest.UniqueDomain("")
	e.dns.broken.Store(true) // the CA never finds the TXT record
	waits := []time.Duration{time.Minute, 10 * time.Minute, 100 * time.Minute, 24 * time.Hour, 24 * time.Hour}
	for i, want := range waits {
		if i == 0 {
			_, err := e.m.Obtain(ctx, host, certs.ObtainOptions{})
			require.ErrorIs(t, err, certs.ErrValidationFailed)
		} else {
			next := *e.get(t, host).Pending.NextAttemptAt
			e.clock.Add(next.Sub(e.clock.Now()) - time.Second)
			e.m.RenewDue(ctx)
			require.EqualValues(t, i, e.orders.issued.Load(), "attempt %d is not due yet", i+1)
			e.clock.Add(time.Second)
			e.m.RenewDue(ctx)
		}
		require.EqualValues(t, i+1, e.orders.issued.Load())
		p := e.get(t, host).Pending
		require.Equal(t, i+1, p.Attempts)
		requireAt(t, e.clock.Now(), p.LastAttemptAt, "last attempt")
		requireAt(t, e.clock.Now().Add(want), p.NextAttemptAt, fmt.Sprintf("after failure %d", i+1))
	}
	var failed int
	for _, ev := range e.events.all() {
		require.Equal(t, certs.EventObtainFailed, ev.Type)
		require.NotEmpty(t, ev.Err)
		failed++
	}
	require.Equal(t, len(waits), failed, "one obtain_failed event per attempt")
}

// TestRemoveACMEWithdrawsPendingOrder: after RemoveACME the scheduler no
// longer retries the order, even once it would succeed.
func TestRemoveACMEWithdrawsPendingOrder(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	e.dns.broken.Store(true)
	_, err := e.m.Obtain(ctx, host, certs.ObtainOptions{Challenge: certs.ChallengeDNS01})
	require.ErrorIs(t, err, certs.ErrValidationFailed)
	require.NotNil(t, e.get(t, host).Pending)

	h, err := e.m.RemoveACME(ctx, host)
	require.NoError(t, err)
	require.Nil(t, h.Pending)
	require.False(t, h.ACMERequested)

	e.dns.broken.Store(false)
	e.clock.Add(48 * time.Hour)
	e.m.RenewDue(ctx)
	require.EqualValues(t, 1, e.orders.issued.Load(), "no retry after RemoveACME")
	require.Nil(t, e.get(t, host).ACME)
}

// TestCheckRetriesPendingOrderAtOnce: a Check that finds the name now
// points here makes the pending http-01 order due at once, without
// waiting for the backoff; a Check that finds it still wrong does not.
func TestCheckRetriesPendingOrderAtOnce(t *testing.T) {
	auth := dnstest.Start(t, dnstest.Zone{Name: "test"})
	e := newOrderEnv(t, orderEnvOpts{config: func(c *certs.Config) {
		c.DNS = certs.DNSConfig{Resolvers: []string{auth.Addr()}, NameserverPort: auth.Port(), Timeout: time.Second}
		c.DNS.A = []string{"203.0.113.10"}
	}})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	// The name points elsewhere: in the platform's view (the DNS that
	// Check asks) and in the CA's (Pebble's DNS).
	auth.Add(host + ". A 198.51.100.7")
	e.srv.SetA(host, "127.0.0.2")
	// http-01 named: left to choose, the Manager would take dns-01, since
	// a DNS provider is configured and the name does not point here.
	_, err := e.m.Obtain(ctx, host, certs.ObtainOptions{Challenge: certs.ChallengeHTTP01})
	require.ErrorIs(t, err, certs.ErrValidationFailed)
	later := e.clock.Now().Add(time.Minute)

	res, err := e.m.Check(ctx, host)
	require.NoError(t, err)
	require.False(t, res.DNS.HTTPConfigured)
	requireAt(t, later, res.Host.Pending.NextAttemptAt, "a wrong DNS changes nothing")
	e.m.RenewDue(ctx)
	require.EqualValues(t, 1, e.orders.issued.Load())

	auth.Remove(host, dns.TypeA)
	auth.Add(host + ". A 203.0.113.10")
	e.srv.ClearA(host)
	res, err = e.m.Check(ctx, host)
	require.NoError(t, err)
	require.True(t, res.DNS.HTTPConfigured)
	requireAt(t, e.clock.Now(), res.Host.Pending.NextAttemptAt, "due at once")
	e.m.RenewDue(ctx) // the clock has not moved
	require.EqualValues(t, 2, e.orders.issued.Load())
	h := e.get(t, host)
	require.Nil(t, h.Pending)
	require.Equal(t, certs.StatusActive, h.Status)
}

// TestRequestIssuesInBackground: Request returns at once, pending, and the
// scheduler's next run places the order; the certificate is then served.
func TestRequestIssuesInBackground(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	ctx := ctxT(t)
	addr := serveTLSOn(t, e.m.TLSConfig())
	host := pebbletest.UniqueDomain("")
	h, err := e.m.Request(ctx, host, certs.ObtainOptions{KeyType: certs.KeyRSA2048})
	require.NoError(t, err)
	require.Equal(t, certs.StatusPendingValidation, h.Status)
	require.NotNil(t, h.Pending)
	require.Zero(t, h.Pending.Attempts)
	requireAt(t, e.clock.Now(), h.Pending.NextAttemptAt, "due at once")
	require.NotNil(t, h.DNSRequirements)
	require.Zero(t, e.orders.issued.Load(), "Request places no order itself")
	_, err = e.m.GetCertificate(&tls.ClientHelloInfo{ServerName: host})
	require.ErrorIs(t, err, certs.ErrUnknownHost)

	e.m.RenewDue(ctx)
	require.EqualValues(t, 1, e.orders.issued.Load())
	h = e.get(t, host)
	require.Nil(t, h.Pending)
	require.Equal(t, certs.StatusActive, h.Status)
	require.Equal(t, "rsa", h.ACME.KeyType)
	leaf, err := peerLeaf(t, addr, host)
	require.NoError(t, err)
	require.Equal(t, h.ACME.Serial, fmt.Sprintf("%x", leaf.SerialNumber))
	require.Equal(t, []string{"issued " + host}, e.events.summary())

	again, err := e.m.Request(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	require.Nil(t, again.Pending, "the current certificate answers the request")
	require.Equal(t, h.ACME.Serial, again.ACME.Serial)
}

// TestRequestWithStart: the running scheduler places a requested order
// without any further call.
func TestRequestWithStart(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	ctx := ctxT(t)
	require.NoError(t, e.m.Start(ctx))
	t.Cleanup(e.m.Stop)
	host := pebbletest.UniqueDomain("")
	_, err := e.m.Request(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return len(e.events.all()) > 0
	}, 30*time.Second, 20*time.Millisecond)
	e.m.Stop()
	require.Equal(t, []string{"issued " + host}, e.events.summary())
	require.Nil(t, e.get(t, host).Pending)
}

// TestPendingOrderComesBeforeRenewal: when a hostname's certificate is due
// for renewal and a new order for it is pending, the scheduler places the
// new order only; its certificate replaces the current one.
func TestPendingOrderComesBeforeRenewal(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	first, err := e.m.Obtain(ctx, host, certs.ObtainOptions{}) // shortlived: 6 days
	require.NoError(t, err)
	www := "www." + host
	_, err = e.m.Request(ctx, host, certs.ObtainOptions{AltNames: []string{www}, Profile: "tlsserver"})
	require.NoError(t, err)

	e.clock.Add(4 * 24 * time.Hour) // past the first certificate's renewal time
	require.True(t, first.ACME.NextRenewalAt.Before(e.clock.Now()))
	e.m.RenewDue(ctx)
	require.EqualValues(t, 2, e.orders.issued.Load(), "one order: the pending one")
	h := e.get(t, host)
	require.Nil(t, h.Pending)
	require.Equal(t, []string{host, www}, h.ACME.Names)
	require.Nil(t, h.ACME.RenewedFrom, "a new order, not a renewal")
	var issued []string
	for _, ev := range e.events.all() {
		if ev.Type != certs.EventExpiring {
			issued = append(issued, string(ev.Type)+" "+ev.Hostname)
		}
	}
	require.Equal(t, []string{"issued " + host, "issued " + host}, issued)
}
