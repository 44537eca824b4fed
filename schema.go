package certs

import (
	"fmt"
	"time"

	"github.com/certs-dev/certs/validate"
)

// The stored form of a hostname. What is stored is not what is shown: the
// API types (Host, Certificate) carry derived values (status, days until
// expiry, served names, DNS requirements) computed on every read, while a
// record holds only state, under a version number. Records written before
// versions existed (version 0) used the same field names and decode as
// version 1.
const recordVersion = 1

// hostRecord is the stored state of a Host.
type hostRecord struct {
	Version           int                `json:"version"`
	Hostname          string             `json:"hostname"`
	DisplayName       string             `json:"display_name,omitempty"`
	Labels            map[string]string  `json:"labels,omitempty"`
	Custom            *certRecord        `json:"custom,omitempty"`
	ACME              *certRecord        `json:"acme,omitempty"`
	ACMEAlt           *certRecord        `json:"acme_alt,omitempty"`
	ACMERequested     bool               `json:"acme_requested,omitempty"`
	Pending           *PendingOrder      `json:"pending_order,omitempty"`
	ValidationErrors  []ChallengeProblem `json:"validation_errors,omitempty"`
	OwnershipRequired bool               `json:"ownership_required,omitempty"`
	OwnershipVerified bool               `json:"ownership_verified,omitempty"`
	VerifiedNames     []string           `json:"verified_names,omitempty"`
	LastCheck         *CheckSummary      `json:"validation,omitempty"`
	RateLimitedUntil  *time.Time         `json:"rate_limited_until,omitempty"`
	CreatedAt         time.Time          `json:"created_at"`
	UpdatedAt         time.Time          `json:"updated_at"`
}

// certRecord is the stored state of a Certificate.
type certRecord struct {
	Source Source `json:"source"`
	validate.Facts
	ChainPEM         string             `json:"chain_pem"`
	Warnings         []validate.Warning `json:"warnings,omitempty"`
	CreatedAt        time.Time          `json:"created_at"`
	UpdatedAt        time.Time          `json:"updated_at"`
	Names            []string           `json:"names,omitempty"`
	AutoRenew        bool               `json:"auto_renew,omitempty"`
	Options          *ACMEOptions       `json:"acme_options,omitempty"`
	LastRenewAttempt *time.Time         `json:"last_renew_attempt,omitempty"`
	LastRenewError   string             `json:"last_renew_error,omitempty"`
	FailureCount     int                `json:"failure_count,omitempty"`
	NextRenewalAt    *time.Time         `json:"next_renewal_at,omitempty"`
	RenewedFrom      *time.Time         `json:"renewed_from,omitempty"`
	RateLimitedUntil *time.Time         `json:"rate_limited_until,omitempty"`
	ARIWindowStart   *time.Time         `json:"ari_window_start,omitempty"`
	ARIWindowEnd     *time.Time         `json:"ari_window_end,omitempty"`
	ARICheckedAt     *time.Time         `json:"ari_checked_at,omitempty"`
	RevokedAt        *time.Time         `json:"revoked_at,omitempty"`
	RevocationReason *RevocationReason  `json:"revocation_reason,omitempty"`
	CA               string             `json:"ca,omitempty"`
	CAName           string             `json:"certificate_authority,omitempty"`
	FailedCAs        []CAFailure        `json:"failed_cas,omitempty"`
	OCSP             *ocspRecord        `json:"ocsp,omitempty"`
}

// ocspRecord is the stored state of an OCSPInfo (Stapled is derived). The
// response itself is a Store blob (stapleKey).
type ocspRecord struct {
	Responder        string            `json:"responder,omitempty"`
	Status           OCSPStatus        `json:"status,omitempty"`
	ThisUpdate       *time.Time        `json:"this_update,omitempty"`
	NextUpdate       *time.Time        `json:"next_update,omitempty"`
	RevokedAt        *time.Time        `json:"revoked_at,omitempty"`
	RevocationReason *RevocationReason `json:"revocation_reason,omitempty"`
	CheckedAt        *time.Time        `json:"checked_at,omitempty"`
	LastError        string            `json:"last_error,omitempty"`
	FailureCount     int               `json:"failure_count,omitempty"`
	NextRefreshAt    *time.Time        `json:"next_refresh_at,omitempty"`
}

func ocspToRecord(o *OCSPInfo) *ocspRecord {
	if o == nil {
		return nil
	}
	return &ocspRecord{
		Responder: o.Responder, Status: o.Status, ThisUpdate: o.ThisUpdate, NextUpdate: o.NextUpdate,
		RevokedAt: o.RevokedAt, RevocationReason: o.RevocationReason, CheckedAt: o.CheckedAt,
		LastError: o.LastError, FailureCount: o.FailureCount, NextRefreshAt: o.NextRefreshAt,
	}
}

func (r *ocspRecord) info() *OCSPInfo {
	if r == nil {
		return nil
	}
	return &OCSPInfo{
		Responder: r.Responder, Status: r.Status, ThisUpdate: r.ThisUpdate, NextUpdate: r.NextUpdate,
		RevokedAt: r.RevokedAt, RevocationReason: r.RevocationReason, CheckedAt: r.CheckedAt,
		LastError: r.LastError, FailureCount: r.FailureCount, NextRefreshAt: r.NextRefreshAt,
	}
}

// toRecord returns the stored form of h.
func toRecord(h *Host) *hostRecord {
	return &hostRecord{
		Version: recordVersion, Hostname: h.Hostname, DisplayName: h.DisplayName, Labels: h.Labels,
		Custom: certToRecord(h.Custom), ACME: certToRecord(h.ACME), ACMEAlt: certToRecord(h.ACMEAlt),
		ACMERequested: h.ACMERequested, Pending: h.Pending, ValidationErrors: h.ValidationErrors,
		OwnershipRequired: h.OwnershipRequired, OwnershipVerified: h.OwnershipVerified,
		VerifiedNames: h.VerifiedNames, LastCheck: h.LastCheck, RateLimitedUntil: h.RateLimitedUntil,
		CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt,
	}
}

// host returns the Host that r stores, without derived values.
func (r *hostRecord) host() (*Host, error) {
	if r.Version > recordVersion {
		return nil, fmt.Errorf("%w (record version %d, this library writes %d)", ErrRecordVersion, r.Version, recordVersion)
	}
	return &Host{
		Hostname: r.Hostname, DisplayName: r.DisplayName, Labels: r.Labels,
		Custom: r.Custom.certificate(), ACME: r.ACME.certificate(), ACMEAlt: r.ACMEAlt.certificate(),
		ACMERequested: r.ACMERequested, Pending: r.Pending, ValidationErrors: r.ValidationErrors,
		OwnershipRequired: r.OwnershipRequired, OwnershipVerified: r.OwnershipVerified,
		VerifiedNames: r.VerifiedNames, LastCheck: r.LastCheck, RateLimitedUntil: r.RateLimitedUntil,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}, nil
}

func certToRecord(c *Certificate) *certRecord {
	if c == nil {
		return nil
	}
	return &certRecord{
		Source: c.Source, Facts: c.Facts, ChainPEM: c.ChainPEM, Warnings: c.Warnings,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Names: c.Names,
		AutoRenew: c.AutoRenew, Options: c.Options, LastRenewAttempt: c.LastRenewAttempt,
		LastRenewError: c.LastRenewError, FailureCount: c.FailureCount, NextRenewalAt: c.NextRenewalAt,
		RenewedFrom: c.RenewedFrom, RateLimitedUntil: c.RateLimitedUntil,
		ARIWindowStart: c.ARIWindowStart, ARIWindowEnd: c.ARIWindowEnd, ARICheckedAt: c.ARICheckedAt,
		RevokedAt: c.RevokedAt, RevocationReason: c.RevocationReason, CA: c.CA,
		CAName: c.CertificateAuthority, FailedCAs: c.FailedCAs, OCSP: ocspToRecord(c.OCSP),
	}
}

func (r *certRecord) certificate() *Certificate {
	if r == nil {
		return nil
	}
	return &Certificate{
		Source: r.Source, Facts: r.Facts, ChainPEM: r.ChainPEM, Warnings: r.Warnings,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Names: r.Names,
		AutoRenew: r.AutoRenew, Options: r.Options, LastRenewAttempt: r.LastRenewAttempt,
		LastRenewError: r.LastRenewError, FailureCount: r.FailureCount, NextRenewalAt: r.NextRenewalAt,
		RenewedFrom: r.RenewedFrom, RateLimitedUntil: r.RateLimitedUntil,
		ARIWindowStart: r.ARIWindowStart, ARIWindowEnd: r.ARIWindowEnd, ARICheckedAt: r.ARICheckedAt,
		RevokedAt: r.RevokedAt, RevocationReason: r.RevocationReason, CA: r.CA,
		CertificateAuthority: r.CAName, FailedCAs: r.FailedCAs, OCSP: r.OCSP.info(),
	}
}
