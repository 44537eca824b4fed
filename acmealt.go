package certs

import (
	"context"
	"fmt"
	"time"
)

// issueAlt obtains (or renews) the second ACME certificate of h, the one
// with a key of the other family (ACMEOptions.AltKeyType), right after the
// first was issued for order o. Its failure never undoes the first: it is
// recorded on the second certificate (which keeps being served while it is
// valid), logged and reported as an event, and the next renewal tries
// again. It returns the hostname as it is afterwards.
func (m *Manager) issueAlt(ctx context.Context, name string, o *order, h *Host, renew bool) *Host {
	req := m.request(o)
	req.KeyType = o.options.AltKeyType
	old := h.ACMEAlt
	if old != nil && renew {
		req.Replaces = parseLeaf(old.ChainPEM)
	}
	at := m.now()
	issued, err := m.issuer.Issue(ctx, req)
	var cert *Certificate
	if err == nil {
		cert, err = m.issuedCertificate(name, o, issued, old, renew && old != nil)
	}
	if err != nil {
		return m.altFailed(ctx, name, h, err, at, renew)
	}
	opts := *cert.Options
	opts.KeyType, opts.AltKeyType = o.options.AltKeyType, ""
	cert.Options = &opts
	next, err := m.update(ctx, name, false, func(h *Host, keys keyring) error {
		h.ACMEAlt = cert
		keys[altKey] = issued.KeyPEM
		return nil
	})
	if err != nil {
		return m.altFailed(ctx, name, h, fmt.Errorf("store: %w", err), at, renew)
	}
	typ := EventIssued
	if renew && old != nil {
		typ = EventRenewed
	}
	m.log.Info("certs: "+string(typ)+" ACME certificate of the other key type", "hostname", name,
		"key_type", o.options.AltKeyType, "not_after", cert.NotAfter)
	m.emit(ctx, typ, name, SourceACME, next.ACMEAlt, nil)
	return next
}

// altFailed records a failed second certificate and returns the hostname.
func (m *Manager) altFailed(ctx context.Context, name string, h *Host, cause error, at time.Time, renew bool) *Host {
	m.log.Warn("certs: the ACME certificate of the other key type failed; the first one is served", "hostname", name, "error", cause)
	next, err := m.update(ctx, name, false, func(h *Host, _ keyring) error {
		if c := h.ACMEAlt; c != nil {
			c.LastRenewAttempt, c.LastRenewError = &at, cause.Error()
			c.FailureCount++
		}
		return nil
	})
	if err == nil {
		h = next
	}
	typ := EventObtainFailed
	if renew {
		typ = EventRenewalFailed
	}
	m.emit(ctx, typ, name, SourceACME, h.ACMEAlt, fmt.Errorf("certs: the certificate of the other key type for %s: %w", name, cause))
	return h
}
