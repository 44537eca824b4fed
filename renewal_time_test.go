package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/validate"
	"github.com/stretchr/testify/require"
)

// When automatic renewal happens, through the Manager: an injected clock
// (Config.Clock), the Manager's jitter, RenewDue doing what the scheduler
// does, and a small Issuer that issues from a throwaway CA or fails.

// stubIssuer is an Issuer that issues certificates valid for life from
// NotBefore = the Manager's clock (to the second), or fails with err.
type stubIssuer struct {
	ca  *testpki.CA
	tb  testing.TB
	now func() time.Time

	mu    sync.Mutex
	life  time.Duration
	err   error
	calls int
}

func (s *stubIssuer) Issue(_ context.Context, req IssueRequest) (*IssuedCertificate, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.DryRun {
		return nil, s.err
	}
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	nb := s.now().Truncate(time.Second)
	l := s.ca.Leaf(s.tb, req.Names, testpki.LeafOptions{NotBefore: nb, NotAfter: nb.Add(s.life)})
	return &IssuedCertificate{ChainPEM: l.ChainPEM(), KeyPEM: l.KeyPEM(), CA: "stub"}, nil
}

func (s *stubIssuer) Revoke(context.Context, []byte, RevocationReason) error { return nil }

func (s *stubIssuer) set(life time.Duration, err error) {
	s.mu.Lock()
	s.life, s.err = life, err
	s.mu.Unlock()
}

func (s *stubIssuer) orders() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// stubARIIssuer is a stubIssuer that is also a RenewalInfoer: its window
// is [start, end) relative to the certificate's NotBefore.
type stubARIIssuer struct {
	*stubIssuer
	start, end time.Duration
}

func (s *stubARIIssuer) RenewalInfo(_ context.Context, c *x509.Certificate) (*RenewalWindow, error) {
	return &RenewalWindow{Start: c.NotBefore.Add(s.start), End: c.NotBefore.Add(s.end)}, nil
}

// renewalFixture is a fixture whose Manager orders from iss, with its
// clock at a whole second (the precision of certificate validity).
func renewalFixture(t *testing.T, life time.Duration, ari *stubARIIssuer) (*fixture, *stubIssuer) {
	t.Helper()
	ca := testpki.NewCA(t)
	iss := &stubIssuer{ca: ca.Intermediate(t), tb: t, life: life}
	f := newFixture(t, func(c *Config) {
		iss.now = c.Clock
		if ari != nil {
			ari.stubIssuer = iss
			c.Issuer = ari
		} else {
			c.Issuer = iss
		}
	})
	f.clock.mu.Lock()
	f.clock.now = time.Now().Truncate(time.Second)
	f.clock.mu.Unlock()
	return f, iss
}

// setClockTo moves the fixture's clock to at.
func (f *fixture) setClockTo(at time.Time) {
	f.clock.mu.Lock()
	f.clock.now = at
	f.clock.mu.Unlock()
}

// mustGet is Manager.Get that must succeed.
func (f *fixture) mustGet(host string) *Host {
	f.t.Helper()
	h, err := f.m.Get(context.Background(), host)
	require.NoError(f.t, err)
	return h
}

// requireTime asserts that got is set and equal to want.
func requireTime(t *testing.T, want time.Time, got *time.Time, msg string) {
	t.Helper()
	require.NotNil(t, got, msg)
	require.True(t, want.Equal(*got), "%s: want %s, got %s (off by %s)", msg, want, *got, got.Sub(want))
}

// requireScheduled asserts when the scheduler wakes up for host next.
func requireScheduled(t *testing.T, f *fixture, host string, want time.Time) {
	t.Helper()
	at, ok := f.m.sched.scheduled(host)
	require.True(t, ok, "%s is scheduled", host)
	require.True(t, want.Equal(at), "scheduled at %s, want %s", at, want)
}

// TestRenewalAtFractionOfLifetime: without ARI an ACME certificate renews
// at 2/3 of its lifetime, at 1/2 when it is valid for less than 10 days;
// RenewDue renews it then and not a second earlier.
func TestRenewalAtFractionOfLifetime(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name string
		life time.Duration
		want time.Duration // after NotBefore
	}{
		{"90 days: 2/3", 90 * day, 60 * day},
		{"30 days: 2/3", 30 * day, 20 * day},
		{"exactly 10 days: 2/3", 10 * day, 6*day + 16*time.Hour},
		{"a second under 10 days: 1/2", 10*day - time.Second, 5*day - 500*time.Millisecond},
		{"6 days (shortlived): 1/2", 6 * day, 3 * day},
		{"1 day: 1/2", day, 12 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, iss := renewalFixture(t, tc.life, nil)
			ctx := context.Background()
			host := "renew.example.com"
			h, err := f.m.Obtain(ctx, host, ObtainOptions{})
			require.NoError(t, err)
			require.True(t, h.ACME.NotBefore.Equal(f.clock.Now()))
			due := h.ACME.NotBefore.Add(tc.want)
			requireTime(t, due, h.ACME.NextRenewalAt, "NextRenewalAt")
			requireScheduled(t, f, host, due)

			f.setClockTo(due.Add(-time.Second))
			f.m.RenewDue(ctx)
			require.Equal(t, 1, iss.orders(), "not renewed before its time")

			f.setClockTo(due)
			f.m.RenewDue(ctx)
			require.Equal(t, 2, iss.orders(), "renewed at its time")
			r := f.mustGet(host)
			require.NotEqual(t, h.ACME.FingerprintSHA256, r.ACME.FingerprintSHA256)
			requireTime(t, h.ACME.NotBefore, r.ACME.RenewedFrom, "RenewedFrom")
			requireTime(t, r.ACME.NotBefore.Add(tc.want), r.ACME.NextRenewalAt, "the new certificate's NextRenewalAt")
			require.Zero(t, r.ACME.FailureCount)
		})
	}
}

// TestRenewalInsideARIWindow: with ARI, the renewal time is the window's
// start plus the jitter of the window's length: inside [start, end), and a
// different point for a different jitter. RenewDue renews then.
func TestRenewalInsideARIWindow(t *testing.T) {
	const day = 24 * time.Hour
	// The window is days 30 to 40 of a 90-day certificate, well before 2/3.
	winStart, winEnd := 30*day, 40*day
	tests := []struct {
		name   string
		jitter func(time.Duration) time.Duration // nil: the real one
		want   time.Duration                     // after the window's start; -1: anywhere inside
	}{
		{"jitter 0: the start", func(time.Duration) time.Duration { return 0 }, 0},
		{"jitter a quarter", func(d time.Duration) time.Duration { return d / 4 }, (winEnd - winStart) / 4},
		{"jitter a half", func(d time.Duration) time.Duration { return d / 2 }, (winEnd - winStart) / 2},
		{"jitter the last nanosecond", func(d time.Duration) time.Duration { return d - 1 }, winEnd - winStart - 1},
		{"the Manager's own random jitter", nil, -1},
	}
	points := map[time.Duration]string{} // point in the window -> row
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ari := &stubARIIssuer{start: winStart, end: winEnd}
			f, iss := renewalFixture(t, 90*day, ari)
			var asked []time.Duration
			if tc.jitter != nil {
				f.m.jitter = func(d time.Duration) time.Duration {
					asked = append(asked, d)
					return tc.jitter(d)
				}
			}
			ctx := context.Background()
			host := "ari.example.com"
			h, err := f.m.Obtain(ctx, host, ObtainOptions{})
			require.NoError(t, err)
			requireTime(t, h.ACME.NotBefore.Add(60*day), h.ACME.NextRenewalAt, "before the window is known: 2/3")
			requireScheduled(t, f, host, f.clock.Now()) // fetch the window at once

			f.m.RenewDue(ctx)
			h = f.mustGet(host)
			start, end := h.ACME.NotBefore.Add(winStart), h.ACME.NotBefore.Add(winEnd)
			requireTime(t, start, h.ACME.ARIWindowStart, "ARIWindowStart")
			requireTime(t, end, h.ACME.ARIWindowEnd, "ARIWindowEnd")
			require.NotNil(t, h.ACME.NextRenewalAt)
			at := *h.ACME.NextRenewalAt
			require.False(t, at.Before(start), "%s is before the window's start %s", at, start)
			require.True(t, at.Before(end), "%s is not before the window's end %s", at, end)
			if tc.want >= 0 {
				requireTime(t, start.Add(tc.want), &at, "NextRenewalAt")
				require.Contains(t, asked, winEnd-winStart, "the jitter spans the window")
				prev, seen := points[at.Sub(start)]
				require.False(t, seen, "a different jitter, the same point as %q", prev)
				points[at.Sub(start)] = tc.name
			}
			require.Equal(t, 1, iss.orders(), "not due yet")

			// The window is fetched again every 12 hours; the renewal
			// happens at the chosen point, not before.
			f.setClockTo(at.Add(-time.Second))
			f.m.RenewDue(ctx)
			require.Equal(t, 1, iss.orders(), "not renewed before the chosen point")
			requireTime(t, at, f.mustGet(host).ACME.NextRenewalAt, "an unchanged window keeps the point")
			f.setClockTo(at)
			f.m.RenewDue(ctx)
			require.Equal(t, 2, iss.orders(), "renewed at the chosen point")
		})
	}
}

// TestRenewalFailureBackoff: after the n-th consecutive failed renewal the
// next attempt is 1 minute, 10 minutes, 100 minutes, then a day later;
// RenewDue retries then and not before, and a success resets the count.
func TestRenewalFailureBackoff(t *testing.T) {
	f, iss := renewalFixture(t, 90*24*time.Hour, nil)
	ctx := context.Background()
	host := "backoff.example.com"
	h, err := f.m.Obtain(ctx, host, ObtainOptions{})
	require.NoError(t, err)
	first := h.ACME.FingerprintSHA256
	var mu sync.Mutex
	var failed []Event
	f.m.Subscribe(func(ev Event) {
		if ev.Type == EventRenewalFailed {
			mu.Lock()
			failed = append(failed, ev)
			mu.Unlock()
		}
	})

	cause := errors.New("stub CA: service unavailable")
	iss.set(90*24*time.Hour, cause)
	next := *h.ACME.NextRenewalAt // the first attempt: at 2/3
	tests := []struct {
		failure int
		wait    time.Duration
	}{
		{1, time.Minute},
		{2, 10 * time.Minute},
		{3, 100 * time.Minute},
		{4, 24 * time.Hour},
		{5, 24 * time.Hour},
		{6, 24 * time.Hour},
	}
	for _, tc := range tests {
		// Not retried a second early.
		f.setClockTo(next.Add(-time.Second))
		f.m.RenewDue(ctx)
		require.Equal(t, tc.failure, iss.orders(), "failure %d: no attempt before %s", tc.failure, next)

		f.setClockTo(next)
		f.m.RenewDue(ctx)
		require.Equal(t, tc.failure+1, iss.orders(), "failure %d: one attempt", tc.failure)
		h := f.mustGet(host)
		c := h.ACME
		require.Equal(t, first, c.FingerprintSHA256, "the certificate keeps serving")
		require.Equal(t, tc.failure, c.FailureCount)
		requireTime(t, next, c.LastRenewAttempt, "LastRenewAttempt")
		require.Contains(t, c.LastRenewError, cause.Error())
		requireTime(t, next.Add(tc.wait), c.NextRenewalAt, "NextRenewalAt")
		requireScheduled(t, f, host, next.Add(tc.wait))
		require.Equal(t, StatusExpiringSoon, h.Status, "a 90-day certificate at day 60 and later")
		require.Equal(t, first, validate.FactsOf(f.served(host).Leaf).FingerprintSHA256, "and is served")
		mu.Lock()
		require.Len(t, failed, tc.failure)
		require.Equal(t, tc.failure, failed[tc.failure-1].Certificate.FailureCount)
		require.Contains(t, failed[tc.failure-1].Err, cause.Error())
		mu.Unlock()
		next = *c.NextRenewalAt
	}

	// The CA recovers: the next attempt renews and the count starts over.
	iss.set(90*24*time.Hour, nil)
	f.setClockTo(next)
	f.m.RenewDue(ctx)
	r := f.mustGet(host)
	require.NotEqual(t, first, r.ACME.FingerprintSHA256)
	require.Zero(t, r.ACME.FailureCount)
	requireTime(t, r.ACME.NotBefore.Add(60*24*time.Hour), r.ACME.NextRenewalAt, "back to 2/3")
}

// TestRenewalRateLimitPostpones: a *RateLimitError postpones the next
// attempt to its RetryAfter when that is later than the backoff; the
// scheduler does not try before.
func TestRenewalRateLimitPostpones(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter time.Duration // after the failed attempt
		want       time.Duration // next attempt, after the failed attempt
	}{
		{"Retry-After beyond the backoff", 3 * time.Hour, 3 * time.Hour},
		{"Retry-After of a week", 7 * 24 * time.Hour, 7 * 24 * time.Hour},
		{"Retry-After before the backoff: the backoff", 30 * time.Second, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, iss := renewalFixture(t, 90*24*time.Hour, nil)
			ctx := context.Background()
			host := "limited.example.com"
			h, err := f.m.Obtain(ctx, host, ObtainOptions{})
			require.NoError(t, err)
			at := *h.ACME.NextRenewalAt
			until := at.Add(tc.retryAfter)
			iss.set(90*24*time.Hour, &RateLimitError{RetryAfter: until, Detail: "too many certificates"})
			var failed []Event
			f.m.Subscribe(func(ev Event) {
				if ev.Type == EventRenewalFailed {
					failed = append(failed, ev)
				}
			})

			f.setClockTo(at)
			f.m.RenewDue(ctx)
			require.Equal(t, 2, iss.orders())
			require.Len(t, failed, 1)
			requireTime(t, until, failed[0].RetryAfter, "the event says when the CA allows another attempt")
			h = f.mustGet(host)
			require.Equal(t, 1, h.ACME.FailureCount)
			require.Contains(t, h.ACME.LastRenewError, "too many certificates")
			requireTime(t, until, h.ACME.RateLimitedUntil, "certificate RateLimitedUntil")
			requireTime(t, until, h.RateLimitedUntil, "hostname RateLimitedUntil")
			requireTime(t, at.Add(tc.want), h.ACME.NextRenewalAt, "NextRenewalAt")
			requireScheduled(t, f, host, at.Add(tc.want))

			// Nothing reaches the CA before then, even a manual Renew.
			iss.set(90*24*time.Hour, nil)
			f.setClockTo(at.Add(tc.want).Add(-time.Second))
			f.m.RenewDue(ctx)
			require.Equal(t, 2, iss.orders(), "no attempt before %s", at.Add(tc.want))
			if until.After(f.clock.Now()) {
				_, err = f.m.Renew(ctx, host, RenewOptions{})
				require.ErrorIs(t, err, ErrRateLimited)
				require.Equal(t, 2, iss.orders(), "Renew does not reach the CA while rate limited")
			}

			f.setClockTo(at.Add(tc.want))
			f.m.RenewDue(ctx)
			require.Equal(t, 3, iss.orders(), "retried at %s", at.Add(tc.want))
			r := f.mustGet(host)
			require.NotEqual(t, h.ACME.FingerprintSHA256, r.ACME.FingerprintSHA256)
			require.Nil(t, r.RateLimitedUntil)
			require.Zero(t, r.ACME.FailureCount)
		})
	}
}

// TestRenewalTime checks the schedule's arithmetic directly.
func TestRenewalTime(t *testing.T) {
	const day = 24 * time.Hour
	nb := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cert := func(life time.Duration) *Certificate {
		c := &Certificate{}
		c.NotBefore, c.NotAfter = nb, nb.Add(life)
		return c
	}
	quarter := func(d time.Duration) time.Duration { return d / 4 }
	win := &RenewalWindow{Start: nb.Add(10 * day), End: nb.Add(14 * day)}
	tests := []struct {
		name string
		cert *Certificate
		win  *RenewalWindow
		want time.Time
	}{
		{"90 days", cert(90 * day), nil, nb.Add(60 * day)},
		{"10 days", cert(10 * day), nil, nb.Add(10 * day * 2 / 3)},
		{"under 10 days", cert(10*day - 1), nil, nb.Add((10*day - 1) / 2)},
		{"7 days", cert(7 * day), nil, nb.Add(84 * time.Hour)},
		{"window: start plus jitter", cert(90 * day), win, nb.Add(11 * day)},
		{"empty window: 2/3", cert(90 * day), &RenewalWindow{Start: win.Start, End: win.Start}, nb.Add(60 * day)},
		{"inverted window: 2/3", cert(90 * day), &RenewalWindow{Start: win.End, End: win.Start}, nb.Add(60 * day)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := renewalTime(tc.cert, tc.win, quarter)
			require.True(t, tc.want.Equal(got), "want %s, got %s", tc.want, got)
		})
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{1, time.Minute},
		{2, 10 * time.Minute},
		{3, 100 * time.Minute},
		{4, 24 * time.Hour},
		{5, 24 * time.Hour},
		{1000, 24 * time.Hour},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, backoff(tc.n), "failure %d", tc.n)
	}
}

// TestRandDuration: the Manager's jitter is uniform in [0, d): every draw
// inside, and not always the same point.
func TestRandDuration(t *testing.T) {
	for _, d := range []time.Duration{1, 2, time.Second, 10 * 24 * time.Hour} {
		seen := map[time.Duration]bool{}
		for range 200 {
			j := randDuration(d)
			require.GreaterOrEqual(t, j, time.Duration(0))
			require.Less(t, j, d)
			seen[j] = true
		}
		if d > 1 {
			require.Greater(t, len(seen), 1, "d=%s: every draw was the same", d)
		}
	}
	require.Zero(t, randDuration(0))
	require.Zero(t, randDuration(-time.Second))
}
