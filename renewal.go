package certs

import (
	"container/heap"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"time"
)

// How renewal is scheduled:
//   - With ARI (RFC 9773, when the Issuer is a RenewalInfoer), at a random
//     point inside the CA's suggested window, fetched about twice a day.
//   - Without ARI, at 2/3 of the certificate's lifetime (1/2 for
//     certificates valid for less than 10 days).
//   - After a failure, 1 minute, 10 minutes, 100 minutes, then daily; a rate
//     limit postpones to its Retry-After.
//
// The scheduler keeps a priority queue of (time, hostname): it sleeps until
// the earliest entry and never scans every hostname on a tick.
const (
	ariInterval  = 12 * time.Hour
	renewWorkers = 4
)

// renewalTime is when a certificate without an ARI window should renew.
func renewalTime(c *Certificate, win *RenewalWindow, jitter func(time.Duration) time.Duration) time.Time {
	if win != nil && win.End.After(win.Start) {
		return win.Start.Add(jitter(win.End.Sub(win.Start)))
	}
	life := c.NotAfter.Sub(c.NotBefore)
	if life < 10*24*time.Hour {
		return c.NotBefore.Add(life / 2)
	}
	return c.NotBefore.Add(life * 2 / 3)
}

// backoff is the wait after the n-th consecutive failure.
func backoff(n int) time.Duration {
	switch {
	case n <= 1:
		return time.Minute
	case n == 2:
		return 10 * time.Minute
	case n == 3:
		return 100 * time.Minute
	}
	return 24 * time.Hour
}

// parseLeaf returns the first certificate of a PEM chain, or nil.
func parseLeaf(chainPEM string) *x509.Certificate {
	b, _ := pem.Decode([]byte(chainPEM))
	if b == nil {
		return nil
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil
	}
	return c
}

// nextWake is when the scheduler should look at h next: an expiring
// event, a renewal, an ARI fetch, an OCSP refresh or the next attempt of
// the pending order. Zero means never.
func (m *Manager) nextWake(h *Host) time.Time {
	var at time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (at.IsZero() || t.Before(at)) {
			at = t
		}
	}
	for _, c := range []*Certificate{h.Custom, h.ACME} {
		if c != nil && c.RevokedAt == nil && !m.notified(h.Hostname, c) {
			earliest(c.NotAfter.Add(-c.expiringWindow(m.expiringWithin)))
		}
	}
	if c := h.ACME; c != nil && c.AutoRenew && c.RevokedAt == nil {
		if c.NextRenewalAt != nil {
			earliest(*c.NextRenewalAt)
		}
		if _, ok := m.issuer.(RenewalInfoer); ok && c.ARICheckedAt != nil {
			earliest(c.ARICheckedAt.Add(ariInterval))
		} else if ok {
			earliest(m.now())
		}
		for _, until := range []*time.Time{c.RateLimitedUntil, h.RateLimitedUntil} {
			if until != nil && at.Before(*until) {
				at = *until
			}
		}
	}
	now := m.now()
	for _, c := range []*Certificate{h.Custom, h.ACME, h.ACMEAlt} {
		if c != nil {
			earliest(m.ocspWake(c, now))
		}
	}
	if p := h.Pending; p != nil && p.NextAttemptAt != nil {
		next := *p.NextAttemptAt
		if h.RateLimitedUntil != nil && next.Before(*h.RateLimitedUntil) {
			next = *h.RateLimitedUntil
		}
		earliest(next)
	}
	return at
}

// Start loads every hostname into the renewal queue and runs the scheduler
// until ctx is done or Stop is called: pending orders are placed and
// retried, ACME certificates are renewed when due, OCSP responses are
// fetched and refreshed (see Config.DisableOCSPStapling), "expiring"
// events are emitted once per certificate and process, and when the Store
// reports changes (store.ChangeFeed) what other processes store is served
// here too, with no call from the application (see follow.go).
// Calling Start on a running Manager is an error.
func (m *Manager) Start(ctx context.Context) error {
	m.runMu.Lock()
	defer m.runMu.Unlock()
	if m.stop != nil {
		return ErrAlreadyRunning
	}
	if err := m.loadQueue(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	m.stop = func() { cancel(); wg.Wait() }
	wg.Add(2)
	go func() {
		defer wg.Done()
		m.loop(ctx)
	}()
	go func() {
		defer wg.Done()
		m.follow(ctx)
	}()
	return nil
}

// Stop stops the scheduler started by Start and waits for renewals in
// flight to return. It is safe to call when not running.
func (m *Manager) Stop() {
	m.runMu.Lock()
	stop := m.stop
	m.stop = nil
	m.runMu.Unlock()
	if stop != nil {
		stop()
	}
}

func (m *Manager) loadQueue(ctx context.Context) error {
	err := m.eachHost(ctx, nil, func(h *Host, _ any) {
		m.sched.schedule(h.Hostname, m.nextWake(h))
	}, nil)
	if err != nil {
		return fmt.Errorf("certs: Start: %w", err)
	}
	return nil
}

func (m *Manager) loop(ctx context.Context) {
	for {
		var timer <-chan time.Time
		var t *time.Timer
		if at, ok := m.sched.peek(); ok {
			t = time.NewTimer(max(at.Sub(m.now()), 0))
			timer = t.C
		}
		select {
		case <-ctx.Done():
		case <-m.sched.wake:
		case <-timer:
			m.RenewDue(ctx)
		}
		if t != nil {
			t.Stop()
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// RenewDue does now what the scheduler would: for every hostname whose
// time has come it emits due "expiring" events, places a due pending order
// (see Request), refreshes the ARI window and renews the ACME certificate
// when due, and refreshes due OCSP responses, with a few hostnames at a
// time. Start calls it; platforms that prefer cron can call it instead of
// Start.
func (m *Manager) RenewDue(ctx context.Context) {
	due := m.sched.popDue(m.now())
	sem := make(chan struct{}, renewWorkers)
	var wg sync.WaitGroup
	for _, name := range due {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			m.maintain(ctx, name)
		}()
	}
	wg.Wait()
}

// maintain handles one due hostname and schedules its next wake-up: it
// emits due "expiring" events, retries a due pending order, then renews
// the current ACME certificate when due, then refreshes due OCSP
// responses. The pending order comes first:
// once issued it replaces the current certificate, which then needs no
// renewal; if it fails, the current certificate is still renewed when due,
// so that a new order that cannot be validated never leaves the hostname
// without a certificate.
func (m *Manager) maintain(ctx context.Context, name string) {
	h, err := m.Get(ctx, name)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			m.log.Error("certs: renewal check", "hostname", name, "error", err)
			m.sched.schedule(name, m.now().Add(backoff(1)))
		}
		return
	}
	now := m.now()
	for _, c := range []*Certificate{h.Custom, h.ACME} {
		if c != nil && c.RevokedAt == nil && !now.Before(c.NotAfter.Add(-c.expiringWindow(m.expiringWithin))) && m.notify(name, c) {
			m.emit(ctx, EventExpiring, name, c.Source, c, nil)
		}
	}
	if pendingDue(h, now) {
		h = m.retryDue(ctx, h)
	}
	h = m.renewDue(ctx, h, now)
	h = m.maintainOCSP(ctx, h)
	at := m.nextWake(h)
	if !at.IsZero() && !at.After(now) && ctx.Err() == nil {
		// Nothing could be recorded (the Store failed): do not spin.
		at = now.Add(backoff(1))
	}
	m.sched.schedule(name, at)
}

// renewDue refreshes the ARI window of h's ACME certificate when it is
// time to, renews the certificate when due, and returns the hostname as it
// is afterwards. Without an Issuer (a replica that only serves) it does
// nothing.
func (m *Manager) renewDue(ctx context.Context, h *Host, now time.Time) *Host {
	c := h.ACME
	if c == nil || m.issuer == nil || !c.AutoRenew || c.RevokedAt != nil || rateLimited(h, now) != nil ||
		(c.RateLimitedUntil != nil && now.Before(*c.RateLimitedUntil)) {
		return h
	}
	if next, err := m.refreshARI(ctx, h); err == nil {
		h = next
	}
	c = h.ACME
	if c == nil || (c.NextRenewalAt != nil && now.Before(*c.NextRenewalAt)) {
		return h
	}
	renewed, err := m.flights.do(ctx, "renew "+h.Hostname, func(ctx context.Context) (*Host, error) {
		return m.renew(ctx, h.Hostname, c.FingerprintSHA256, RenewOptions{})
	})
	if err == nil {
		return renewed
	}
	if again, gerr := m.Get(ctx, h.Hostname); gerr == nil {
		return again
	}
	return h
}

// refreshARI fetches the CA's renewal window when it is time to, and moves
// the renewal time into it.
func (m *Manager) refreshARI(ctx context.Context, h *Host) (*Host, error) {
	ri, ok := m.issuer.(RenewalInfoer)
	c := h.ACME
	now := m.now()
	if !ok || (c.ARICheckedAt != nil && now.Sub(*c.ARICheckedAt) < ariInterval) {
		return h, nil
	}
	leaf := parseLeaf(c.ChainPEM)
	if leaf == nil {
		return h, errors.New("certs: unparsable ACME certificate")
	}
	win, err := ri.RenewalInfo(ctx, leaf)
	return m.update(ctx, h.Hostname, false, func(h *Host, _ keyring) error {
		a := h.ACME
		if a == nil || a.FingerprintSHA256 != c.FingerprintSHA256 {
			return nil
		}
		a.ARICheckedAt = &now
		if err != nil {
			m.log.Debug("certs: no ARI window", "hostname", h.Hostname, "error", err)
			return nil
		}
		start, end := win.Start, win.End
		changed := a.ARIWindowStart == nil || !a.ARIWindowStart.Equal(start) || !a.ARIWindowEnd.Equal(end)
		a.ARIWindowStart, a.ARIWindowEnd = &start, &end
		if changed && a.FailureCount == 0 {
			t := renewalTime(a, win, m.jitter)
			a.NextRenewalAt = &t
		}
		return nil
	})
}

// notified reports whether the expiring event for c was already emitted.
// One entry per hostname and source is kept, so memory stays bounded.
func (m *Manager) notified(host string, c *Certificate) bool {
	m.expMu.Lock()
	defer m.expMu.Unlock()
	return m.expiring[host+" "+string(c.Source)] == c.FingerprintSHA256
}

// notify marks the expiring event for c as emitted; false if it already was.
func (m *Manager) notify(host string, c *Certificate) bool {
	m.expMu.Lock()
	defer m.expMu.Unlock()
	k := host + " " + string(c.Source)
	if m.expiring[k] == c.FingerprintSHA256 {
		return false
	}
	if m.expiring == nil {
		m.expiring = make(map[string]string)
	}
	m.expiring[k] = c.FingerprintSHA256
	return true
}

// forget drops what notify recorded for a removed hostname.
func (m *Manager) forget(host string) {
	m.expMu.Lock()
	defer m.expMu.Unlock()
	delete(m.expiring, host+" "+string(SourceCustom))
	delete(m.expiring, host+" "+string(SourceACME))
}

// scheduler is a priority queue of hostnames by wake-up time.
type scheduler struct {
	mu    sync.Mutex
	queue schedQueue
	items map[string]*schedItem
	wake  chan struct{}
}

type schedItem struct {
	host  string
	at    time.Time
	index int
}

// schedule sets host's wake-up time; a zero time removes it.
func (s *scheduler) schedule(host string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.items == nil {
		s.items = make(map[string]*schedItem)
	}
	it := s.items[host]
	switch {
	case at.IsZero() && it != nil:
		heap.Remove(&s.queue, it.index)
		delete(s.items, host)
	case at.IsZero():
		return
	case it != nil:
		it.at = at
		heap.Fix(&s.queue, it.index)
	default:
		it = &schedItem{host: host, at: at}
		s.items[host] = it
		heap.Push(&s.queue, it)
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *scheduler) unschedule(host string) { s.schedule(host, time.Time{}) }

// peek returns the earliest wake-up time.
func (s *scheduler) peek() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return time.Time{}, false
	}
	return s.queue[0].at, true
}

// popDue removes and returns the hostnames due at now.
func (s *scheduler) popDue(now time.Time) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for len(s.queue) > 0 && !s.queue[0].at.After(now) {
		it := heap.Pop(&s.queue).(*schedItem)
		delete(s.items, it.host)
		out = append(out, it.host)
	}
	return out
}

// scheduled returns host's wake-up time (for tests and Status).
func (s *scheduler) scheduled(host string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if it := s.items[host]; it != nil {
		return it.at, true
	}
	return time.Time{}, false
}

type schedQueue []*schedItem

func (q schedQueue) Len() int           { return len(q) }
func (q schedQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q schedQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *schedQueue) Push(x any) {
	it := x.(*schedItem)
	it.index = len(*q)
	*q = append(*q, it)
}
func (q *schedQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return it
}
