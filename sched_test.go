package certs

import (
	"context"
	"crypto/x509"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// blockingARI is a stubIssuer whose RenewalInfo waits until released.
type blockingARI struct {
	*stubIssuer
	entered chan struct{}
	release chan struct{}
}

func (b *blockingARI) RenewalInfo(ctx context.Context, c *x509.Certificate) (*RenewalWindow, error) {
	close(b.entered)
	<-b.release
	return &RenewalWindow{Start: c.NotBefore, End: c.NotAfter}, nil
}

// TestRemoveACMEWhileFetchingARI: the ACME certificate removed while the
// scheduler asks the CA for its renewal window does not crash the process,
// and nothing is renewed or resurrected.
func TestRemoveACMEWhileFetchingARI(t *testing.T) {
	ctx := context.Background()
	ca := testpki.NewCA(t)
	iss := &stubIssuer{ca: ca.Intermediate(t), tb: t, life: 90 * 24 * time.Hour}
	ari := &blockingARI{stubIssuer: iss, entered: make(chan struct{}), release: make(chan struct{})}
	f := newFixture(t, func(c *Config) { iss.now = c.Clock; c.Issuer = ari })
	_, err := f.m.Obtain(ctx, "ari.example.com", ObtainOptions{})
	require.NoError(t, err)

	done := make(chan struct{})
	go func() { defer close(done); f.m.RenewDue(ctx) }()
	<-ari.entered
	_, err = f.m.RemoveACME(ctx, "ari.example.com")
	require.NoError(t, err)
	close(ari.release)
	<-done
	h := f.mustGet("ari.example.com")
	require.Nil(t, h.ACME)
	require.Equal(t, 1, iss.orders())
	_, ok := f.m.sched.scheduled("ari.example.com")
	require.False(t, ok, "nothing left to schedule")
}

// countingStore counts the reads of a Store.
type countingStore struct {
	Store
	gets atomic.Int64
}

func (c *countingStore) Get(ctx context.Context, name string) (*store.Record, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, name)
}

// TestFailureBeforeTheCAIsBackedOff: a renewal that fails before reaching
// the CA (a dns-01 certificate whose provider was given as an object, so
// that it cannot be rebuilt) is recorded and backed off like any other
// failure: the scheduler does not spin on it.
func TestFailureBeforeTheCAIsBackedOff(t *testing.T) {
	ctx := context.Background()
	f, iss := renewalFixture(t, 90*24*time.Hour, nil)
	_, err := f.m.Obtain(ctx, "dns.example.com", ObtainOptions{Challenge: ChallengeDNS01, DNSProvider: nopDNS{}})
	require.NoError(t, err)
	cs := &countingStore{Store: f.m.store}
	f.m.store = cs
	f.clock.Add(61 * 24 * time.Hour) // past 2/3 of the lifetime

	f.m.RenewDue(ctx)
	h := f.mustGet("dns.example.com")
	require.Equal(t, 1, h.ACME.FailureCount)
	require.Contains(t, h.ACME.LastRenewError, "DNS provider")
	requireTime(t, f.clock.Now().Add(time.Minute), h.ACME.NextRenewalAt, "backed off one minute")
	at, ok := f.m.sched.scheduled("dns.example.com")
	require.True(t, ok)
	require.True(t, at.After(f.clock.Now()), "next wake-up in the future")
	require.Equal(t, 1, iss.orders(), "no order reached the CA")

	reads := cs.gets.Load()
	for range 100 {
		f.m.RenewDue(ctx) // nothing is due: no work at all
	}
	require.Equal(t, reads, cs.gets.Load(), "the scheduler does not spin")
}

// nopDNS is a DNSProvider that does nothing (the stub issuer never asks).
type nopDNS struct{}

func (nopDNS) Present(context.Context, DNSRecord) error { return nil }
func (nopDNS) CleanUp(context.Context, DNSRecord) error { return nil }
