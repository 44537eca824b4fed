package certs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Revoke revokes a hostname's ACME certificate with an RFC 5280 reason.
// Revocation is irreversible: the status becomes revoked, GetCertificate
// falls back to the custom certificate, and automatic renewal stops. A
// certificate the CA reports as already revoked (by another process, or
// outside this library) is recorded as revoked all the same, and Revoke
// returns an error wrapping ErrAlreadyRevoked.
// Without Config.Issuer it returns ErrNoIssuer.
func (m *Manager) Revoke(ctx context.Context, hostname string, reason RevocationReason) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	if !reason.Valid() {
		return nil, ErrInvalidReason
	}
	if m.issuer == nil {
		return nil, ErrNoIssuer
	}
	h, err := m.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	c := h.ACME
	if c == nil {
		return nil, fmt.Errorf("%w: %s has no ACME certificate", ErrNoCertificateForSource, name)
	}
	if c.RevokedAt != nil {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyRevoked, name)
	}
	caErr := m.issuer.Revoke(ctx, []byte(c.ChainPEM), reason)
	if caErr != nil && !errors.Is(caErr, ErrAlreadyRevoked) {
		return nil, fmt.Errorf("certs: revoke %s: %w", name, caErr)
	}
	altRevoked := false
	if alt := h.ACMEAlt; alt != nil && alt.RevokedAt == nil {
		err := m.issuer.Revoke(ctx, []byte(alt.ChainPEM), reason)
		altRevoked = err == nil || errors.Is(err, ErrAlreadyRevoked)
		if !altRevoked {
			m.log.Warn("certs: revoking the ACME certificate of the other key type", "hostname", name, "error", err)
		}
	}
	now := m.now()
	h, err = m.update(ctx, name, false, func(h *Host, _ keyring) error {
		if altRevoked && h.ACMEAlt != nil {
			markRevoked(h.ACMEAlt, now, reason)
		}
		if h.ACME == nil || h.ACME.FingerprintSHA256 != c.FingerprintSHA256 {
			return nil // replaced meanwhile: nothing of ours to mark
		}
		markRevoked(h.ACME, now, reason)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certs: record revocation of %s: %w", name, err)
	}
	m.sched.unschedule(name)
	m.log.Info("certs: revoked ACME certificate", "hostname", name, "reason", int(reason))
	m.emit(ctx, EventRevoked, name, SourceACME, h.ACME, nil)
	if caErr != nil { // revoked before, elsewhere: now recorded here too
		return nil, fmt.Errorf("certs: revoke %s: %w", name, caErr)
	}
	return h, nil
}

// markRevoked records c's revocation and stops its renewal.
func markRevoked(c *Certificate, at time.Time, reason RevocationReason) {
	c.RevokedAt = &at
	r := reason
	c.RevocationReason = &r
	c.AutoRenew = false
	c.NextRenewalAt = nil
}
