package certs

import (
	"context"
)

// ObtainOptions tune one Obtain.
type ObtainOptions struct {
	// AltNames are extra names on the same certificate (SANs).
	AltNames []string
	// Challenge selects the challenge type; empty means http-01, or dns-01
	// for wildcards.
	Challenge ChallengeType
	// KeyType of the new key; empty means ec256.
	KeyType KeyType
	// Profile is the ACME profile ("classic", "tlsserver", "shortlived").
	Profile string
	// DNSProvider overrides Config.DNSProvider for this hostname.
	DNSProvider DNSProvider
	// AutoRenew turns on automatic renewal (nil means true).
	AutoRenew *bool
	// DryRun runs every pre-flight check but places no order.
	DryRun bool
}

// Obtain requests an ACME certificate for hostname and serves it once
// issued. Without Config.Issuer it returns ErrNoIssuer.
func (m *Manager) Obtain(ctx context.Context, hostname string, opts ObtainOptions) (*Host, error) {
	if _, err := NormalizeHostname(hostname); err != nil {
		return nil, err
	}
	if m.issuer == nil {
		return nil, ErrNoIssuer
	}
	return nil, ErrNotImplemented
}

// Renew renews a hostname's ACME certificate now. Without Config.Issuer it
// returns ErrNoIssuer.
func (m *Manager) Renew(ctx context.Context, hostname string) (*Host, error) {
	if _, err := NormalizeHostname(hostname); err != nil {
		return nil, err
	}
	if m.issuer == nil {
		return nil, ErrNoIssuer
	}
	return nil, ErrNotImplemented
}

// Revoke revokes a hostname's ACME certificate with an RFC 5280 reason.
// Revocation is irreversible. Without Config.Issuer it returns ErrNoIssuer.
func (m *Manager) Revoke(ctx context.Context, hostname string, reason RevocationReason) (*Host, error) {
	if _, err := NormalizeHostname(hostname); err != nil {
		return nil, err
	}
	if !reason.Valid() {
		return nil, ErrInvalidReason
	}
	if m.issuer == nil {
		return nil, ErrNoIssuer
	}
	return nil, ErrNotImplemented
}

// CheckResult is the outcome of Check: the hostname's details plus what its
// live DNS records say.
type CheckResult struct {
	Host *Host `json:"host"`
}

// Check resolves the hostname's live DNS records and reports what is
// configured.
func (m *Manager) Check(ctx context.Context, hostname string) (*CheckResult, error) {
	if _, err := NormalizeHostname(hostname); err != nil {
		return nil, err
	}
	return nil, ErrNotImplemented
}
