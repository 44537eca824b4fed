package certs

import (
	"context"
	"maps"
	"slices"
	"time"
)

// Pending orders.
//
// Every ACME order that was requested (Obtain, Request) and not yet issued
// is the hostname's Host.Pending, with the credentials of a provider given
// by name kept as the secret pendingDNSCredentialsKey. The scheduler
// retries it when its NextAttemptAt comes (the renewal backoff after each
// failure, the CA's Retry-After when rate limited), before renewing the
// current certificate of the hostname, which the new order replaces. A
// Check that finds the DNS right for its challenge makes it due at once.
// Issuing a certificate for it, or RemoveACME, clears it.

// storePending stores o as the hostname's pending order (keeping the
// attempts of an identical one) and schedules it. With due set the order
// is due at once (Request); otherwise Obtain is about to attempt it, and
// the next attempt is set one backoff step ahead, so that the order is
// retried should this attempt end unrecorded (the process stops, ctx ends).
// A rate limit postpones the attempt to its end.
func (m *Manager) storePending(ctx context.Context, name string, o *order, due bool) (*Host, error) {
	at := m.now()
	h, err := m.update(ctx, name, true, func(h *Host, keys keyring) error {
		h.ACMERequested = true
		if o.displayName != "" {
			h.DisplayName = o.displayName
		}
		if o.labels != nil {
			h.Labels = maps.Clone(o.labels)
		}
		if !isPendingOrder(h.Pending, o) {
			h.Pending = &PendingOrder{Names: slices.Clone(o.names), Options: o.options, RequestedAt: at}
		}
		p := h.Pending
		p.AutoRenew = o.autoRenew
		next := at
		if !due {
			next = at.Add(backoff(p.Attempts + 1))
		}
		if until := rateLimited(h, at); until != nil && until.After(next) {
			next = *until
		}
		p.NextAttemptAt = &next
		setCredentials(keys, pendingDNSCredentialsKey, o.options, o.creds)
		return nil
	})
	if err != nil {
		return nil, err
	}
	m.sched.schedule(name, m.nextWake(h))
	return h, nil
}

// notePendingFailure records a failed attempt on the pending order p of
// o, and sets the next one on the backoff, or at the rate limit's end. An
// order withdrawn or replaced meanwhile is left alone.
func notePendingFailure(p *PendingOrder, o *order, cause error, at time.Time, rl *RateLimitError) {
	if o == nil || !isPendingOrder(p, o) {
		return
	}
	p.Attempts++
	p.LastAttemptAt = &at
	p.LastError = cause.Error()
	next := at.Add(backoff(p.Attempts))
	if rl != nil && rl.RetryAfter.After(next) {
		next = rl.RetryAfter
	}
	p.NextAttemptAt = &next
}

// pendingDue reports whether h's pending order is due at now.
func pendingDue(h *Host, now time.Time) bool {
	p := h.Pending
	return p != nil && (p.NextAttemptAt == nil || !now.Before(*p.NextAttemptAt)) && rateLimited(h, now) == nil
}

// retryPending attempts name's pending order when it is due, under the
// hostname's cross-process lock. It is the scheduler's side of Obtain and
// shares its flight, so that concurrent calls place one order.
func (m *Manager) retryPending(ctx context.Context, name string) (*Host, error) {
	ctx, unlock, err := m.lockIssuance(ctx, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, keys, err := m.load(ctx, name)
	if err != nil {
		return nil, err
	}
	now := m.now()
	if !pendingDue(h, now) { // issued, withdrawn or retried meanwhile
		return m.refresh(ctx, name)
	}
	o, err := m.pendingOrder(h, keys)
	if err != nil {
		return nil, m.recordFailure(ctx, name, o, err, now, false)
	}
	return m.attempt(ctx, name, o, h.ACME, false)
}

// pendingOrder is h's pending order as an order, its DNS provider rebuilt.
// On error the order is still returned, for recording the failure.
func (m *Manager) pendingOrder(h *Host, keys keyring) (*order, error) {
	p := h.Pending
	o := &order{names: slices.Clone(p.Names), options: p.Options, autoRenew: p.AutoRenew}
	if o.options.DNSProvider != "" {
		creds, err := decodeCredentials(h.Hostname, keys[pendingDNSCredentialsKey])
		if err != nil {
			return o, err
		}
		o.creds = creds
	}
	return o, m.resolveDNS(h.Hostname, o, nil, true)
}

// retryDue retries h's pending order for the scheduler and returns the
// hostname as it is afterwards.
func (m *Manager) retryDue(ctx context.Context, h *Host) *Host {
	name := h.Hostname
	got, err := m.flights.do(ctx, "obtain "+name, func(ctx context.Context) (*Host, error) {
		return m.retryPending(ctx, name)
	})
	if err == nil {
		return got
	}
	m.log.Info("certs: pending order failed", "hostname", name, "error", err)
	if again, gerr := m.Get(ctx, name); gerr == nil {
		return again
	}
	return h
}

// retryOnCheck makes h's pending order due at now when the summary of the
// Check just made (h.LastCheck) finds the DNS right for its challenge and
// the previous one (prev) did not: a fix the user just made is tried at
// once, while repeated Checks place no extra orders. It reports whether
// it did. A rate limit is honoured.
func (m *Manager) retryOnCheck(h *Host, prev *CheckSummary, now time.Time) bool {
	p := h.Pending
	if p == nil || h.LastCheck == nil || !m.dnsReady(p, h.LastCheck) ||
		(prev != nil && m.dnsReady(p, prev)) || rateLimited(h, now) != nil {
		return false
	}
	p.NextAttemptAt = &now
	return true
}

// dnsReady reports whether s finds the DNS right for p's challenge:
// http-01 and tls-alpn-01 need the name to point here; dns-01 needs the
// _acme-challenge delegation when Config.DNS offers one and the order
// names no DNS provider of its own, and nothing otherwise.
func (m *Manager) dnsReady(p *PendingOrder, s *CheckSummary) bool {
	switch p.Options.Challenge {
	case ChallengeHTTP01:
		return s.HTTPConfigured
	case ChallengeTLSALPN01:
		return s.ALPNConfigured
	case ChallengeDNS01, ChallengeDNSAccount01:
		return m.dnsCfg.ACMEChallengeZone == "" || p.Options.DNSProvider != "" || s.ACMEDNSConfigured
	case ChallengeDNSPersist01:
		return s.PersistTXTConfigured
	}
	return false
}
