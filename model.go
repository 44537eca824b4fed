package certs

import (
	"maps"
	"slices"
	"time"

	"github.com/certs-dev/certs/validate"
)

// Source says where a certificate came from.
type Source string

// The two sources a hostname can hold side by side.
const (
	// SourceCustom is a certificate the user imported.
	SourceCustom Source = "custom"
	// SourceACME is a certificate obtained from an ACME CA.
	SourceACME Source = "acme"
)

// Status is the state of a certificate or hostname, in the vocabulary of the
// hosting platforms' certificate APIs.
type Status string

// Statuses. A hostname's status is the status of the certificate it serves
// (custom first, then ACME), or of the pending one when it serves none.
const (
	StatusPendingValidation Status = "pending_validation"
	StatusPendingOwnership  Status = "pending_ownership"
	StatusActive            Status = "active"
	StatusExpiringSoon      Status = "expiring_soon"
	StatusExpired           Status = "expired"
	StatusNotYetValid       Status = "not_yet_valid"
	StatusRevoked           Status = "revoked"
)

// Certificate is one certificate of a hostname: its public facts and its
// lifecycle. It holds no private key material; keys are kept apart in the
// Store and only PrivateKey returns them.
type Certificate struct {
	Source Source `json:"source"`
	// Status and DaysUntilExpiry are derived from the facts and the
	// Manager's clock each time a Certificate is returned.
	Status          Status `json:"status"`
	DaysUntilExpiry int    `json:"days_until_expiry"`

	validate.Facts
	// ChainPEM is the chain as served: leaf first, then intermediates.
	ChainPEM string `json:"chain_pem"`
	// Warnings are the validation warnings recorded when it was stored.
	Warnings []validate.Warning `json:"warnings,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Names are the names this certificate is served for, the hostname
	// first. For an ACME certificate they are the names of its order (the
	// Manager proved control of each); for a custom certificate, the
	// hostname it was imported under plus the names attached with
	// ImportOptions. A name that has a record of its own is served from
	// that record first (see Manager.Explain).
	Names []string `json:"names,omitempty"`

	// ACME lifecycle; zero for custom certificates.
	AutoRenew        bool              `json:"auto_renew"`
	Options          *ACMEOptions      `json:"acme_options,omitempty"`
	LastRenewAttempt *time.Time        `json:"last_renew_attempt,omitempty"`
	LastRenewError   string            `json:"last_renew_error,omitempty"`
	FailureCount     int               `json:"failure_count,omitempty"`
	NextRenewalAt    *time.Time        `json:"next_renewal_at,omitempty"`
	RenewedFrom      *time.Time        `json:"renewed_from,omitempty"`
	RateLimitedUntil *time.Time        `json:"rate_limited_until,omitempty"`
	ARIWindowStart   *time.Time        `json:"ari_window_start,omitempty"`
	ARIWindowEnd     *time.Time        `json:"ari_window_end,omitempty"`
	ARICheckedAt     *time.Time        `json:"ari_checked_at,omitempty"`
	RevokedAt        *time.Time        `json:"revoked_at,omitempty"`
	RevocationReason *RevocationReason `json:"revocation_reason,omitempty"`
	CA               string            `json:"ca,omitempty"`
	// CertificateAuthority is the readable name of the CA that issued it
	// ("lets_encrypt"); renewals try it first. FailedCAs are the CAs that
	// failed the order before it (see Issuers).
	CertificateAuthority string      `json:"certificate_authority,omitempty"`
	FailedCAs            []CAFailure `json:"failed_cas,omitempty"`

	// OCSP is what the CA's OCSP responder said of the certificate, for
	// certificates that name one (see Config.DisableOCSPStapling). A
	// "revoked" answer also sets RevokedAt and RevocationReason.
	OCSP *OCSPInfo `json:"ocsp,omitempty"`
}

// ACMEOptions are the order options an ACME certificate was obtained with;
// renewals reuse them.
type ACMEOptions struct {
	KeyType   KeyType       `json:"key_type,omitempty"`
	Challenge ChallengeType `json:"challenge,omitempty"`
	// ChallengeReason says why the Manager chose Challenge for an order
	// whose caller named none ("tls-alpn-01: shop.example.com points here
	// directly, ..."); empty when the caller chose it.
	ChallengeReason string `json:"challenge_reason,omitempty"`
	Profile         string `json:"profile,omitempty"`
	// DNSProvider names the DNS provider given by name for this order
	// (ObtainOptions.DNSProviderName). Its credentials are stored with the
	// private keys (sealed at rest when Config.EncryptionKey is set) and
	// never shown; renewals rebuild the provider through
	// Config.NewDNSProvider.
	DNSProvider string `json:"dns_provider,omitempty"`
	// AltKeyType, when set, asks for a second certificate for the same
	// names with a key of the other family (rsa2048 beside ec256, or the
	// reverse): Host.ACMEAlt, served to clients that cannot use the first.
	AltKeyType KeyType `json:"alt_key_type,omitempty"`
}

// PendingOrder is an ACME certificate that was requested and is not issued
// yet. The scheduler retries it on the renewal backoff (1 minute, 10
// minutes, 100 minutes, then daily, or the CA's Retry-After) until it
// succeeds or RemoveACME withdraws it.
type PendingOrder struct {
	// Names are the order's names, the hostname first.
	Names   []string    `json:"names"`
	Options ACMEOptions `json:"options"`
	// AutoRenew is what the issued certificate's AutoRenew will be.
	AutoRenew   bool      `json:"auto_renew"`
	RequestedAt time.Time `json:"requested_at"`
	// Attempts counts the failed attempts so far.
	Attempts      int        `json:"attempts"`
	LastAttemptAt *time.Time `json:"last_attempt_at,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	// NextAttemptAt is when the scheduler tries again.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}

// TenantLabel is the label that names a hostname's tenant (an app, a
// project, an account) on platforms that host several: the api and webhook
// packages read and write it, and List selects by it.
const TenantLabel = "certs.tenant"

// Host is everything the Manager knows about one hostname: up to two
// certificates (custom and ACME) and the hostname's metadata. It holds no
// private key material.
type Host struct {
	Hostname string `json:"hostname"`
	// Status is derived; see Status.
	Status Status `json:"status"`
	// DisplayName and Labels are optional metadata for platforms.
	DisplayName string            `json:"display_name,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`

	Custom *Certificate `json:"custom,omitempty"`
	ACME   *Certificate `json:"acme,omitempty"`
	// ACMEAlt is the second ACME certificate, for the same names with a key
	// of the other family (ACMEOptions.AltKeyType), served to clients that
	// cannot use ACME's (an RSA-only client beside an ECDSA certificate).
	// It is issued, renewed, revoked and removed with ACME.
	ACMEAlt *Certificate `json:"acme_alt,omitempty"`

	// ACMERequested is true once Obtain or Request was called and until
	// RemoveACME.
	ACMERequested bool `json:"acme_requested"`
	// Pending is the ACME order still to be fulfilled, if any.
	Pending *PendingOrder `json:"pending_order,omitempty"`
	// ValidationErrors are the problems of the last failed ACME order.
	ValidationErrors []ChallengeProblem `json:"validation_errors,omitempty"`
	// OwnershipRequired is set when a custom certificate was imported
	// under Config.DNS.RequireOwnership; until OwnershipVerified (Check saw
	// the ownership TXT record) the custom certificate is pending_ownership
	// and not served.
	OwnershipRequired bool `json:"ownership_required,omitempty"`
	OwnershipVerified bool `json:"ownership_verified,omitempty"`
	// VerifiedNames are the further names of the custom certificate whose
	// ownership TXT record Check has seen; under RequireOwnership a further
	// name is served only once it is listed here.
	VerifiedNames []string `json:"verified_names,omitempty"`
	// ServedNames are the names this hostname's certificates are served
	// for: the hostname and every further name (derived on read; a name
	// with a record of its own is served from that record first).
	ServedNames []string `json:"served_names,omitempty"`
	// LastCheck is the outcome of the last Check.
	LastCheck *CheckSummary `json:"validation,omitempty"`
	// DNSRequirements are the records the hostname needs (derived from
	// Config.DNS on every read; not stored).
	DNSRequirements *validate.DNSRequirements `json:"dns_requirements,omitempty"`

	// RateLimitedUntil is set when the CA rate-limited an order for this
	// hostname: Obtain refuses to place another one before then.
	RateLimitedUntil *time.Time `json:"rate_limited_until"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// HasCustom reports whether the hostname holds a custom certificate.
func (h *Host) HasCustom() bool { return h != nil && h.Custom != nil }

// HasACME reports whether the hostname holds an ACME certificate.
func (h *Host) HasACME() bool { return h != nil && h.ACME != nil }

// Certificate returns the certificate of the given source, or nil.
func (h *Host) Certificate(src Source) *Certificate {
	switch src {
	case SourceCustom:
		return h.Custom
	case SourceACME:
		return h.ACME
	}
	return nil
}

func (h *Host) setCertificate(src Source, c *Certificate) {
	if src == SourceCustom {
		h.Custom = c
	} else {
		h.ACME = c
	}
}

// secretName is the Store secret that holds a source's private key.
func secretName(src Source) string { return string(src) + ".key" }

// derive fills the derived fields (status, days until expiry) at now.
func (c *Certificate) derive(now time.Time, expiringWithin time.Duration) {
	c.DaysUntilExpiry = int(c.NotAfter.Sub(now).Hours() / 24)
	c.OCSP = c.OCSP.derive(now)
	switch {
	case c.RevokedAt != nil:
		c.Status = StatusRevoked
	case now.After(c.NotAfter):
		c.Status = StatusExpired
	case now.Before(c.NotBefore):
		c.Status = StatusNotYetValid
	case c.NotAfter.Sub(now) <= c.expiringWindow(expiringWithin):
		c.Status = StatusExpiringSoon
	default:
		c.Status = StatusActive
	}
}

// usable reports whether a certificate with this status may be served as
// the preferred one.
func (s Status) usable() bool { return s == StatusActive || s == StatusExpiringSoon }

// derive fills the derived fields of the host and its certificates.
func (h *Host) derive(now time.Time, expiringWithin time.Duration) {
	for _, c := range []*Certificate{h.Custom, h.ACME, h.ACMEAlt} {
		if c != nil {
			c.derive(now, expiringWithin)
		}
	}
	if h.Custom != nil && h.pendingOwnership() && h.Custom.Status.usable() {
		h.Custom.Status = StatusPendingOwnership
	}
	h.Status = StatusPendingValidation
	if c := h.preferred(); c != nil {
		h.Status = c.Status
	}
	h.ServedNames = h.servedNamesAll()
}

// servedNamesAll is the union of the names the host's certificates are
// served for (revoked ones and names waiting for their ownership TXT
// record aside), in certificate order: custom, then ACME.
func (h *Host) servedNamesAll() []string {
	var names []string
	for _, c := range []*Certificate{h.Custom, h.ACME} {
		if c == nil || c.RevokedAt != nil {
			continue
		}
		for _, n := range c.servedNames(h.Hostname) {
			if !slices.Contains(names, n) && (c.Source != SourceCustom || h.ownershipVerified(n)) {
				names = append(names, n)
			}
		}
	}
	return names
}

// expiresAt is the earliest expiry among the held certificates, used to
// sort List results.
func (h *Host) expiresAt() time.Time {
	var t time.Time
	for _, c := range []*Certificate{h.Custom, h.ACME} {
		if c != nil && c.RevokedAt == nil && (t.IsZero() || c.NotAfter.Before(t)) {
			t = c.NotAfter
		}
	}
	return t
}

func (h *Host) clone() *Host {
	c := *h
	if h.Custom != nil {
		cc := *h.Custom
		c.Custom = &cc
	}
	if h.ACME != nil {
		ac := *h.ACME
		c.ACME = &ac
	}
	if h.ACMEAlt != nil {
		alt := *h.ACMEAlt
		c.ACMEAlt = &alt
	}
	if h.Labels != nil {
		c.Labels = maps.Clone(h.Labels)
	}
	if h.Pending != nil {
		p := *h.Pending
		p.Names = slices.Clone(p.Names)
		c.Pending = &p
	}
	c.VerifiedNames = slices.Clone(h.VerifiedNames)
	c.ServedNames = slices.Clone(h.ServedNames)
	c.ValidationErrors = slices.Clone(h.ValidationErrors)
	return &c
}

// pendingOwnership reports whether the custom certificate waits for the
// ownership TXT record of the hostname.
func (h *Host) pendingOwnership() bool { return h.OwnershipRequired && !h.OwnershipVerified }

// ownershipVerified reports whether the custom certificate may be served
// for name: always without RequireOwnership, else once Check has seen the
// name's ownership TXT record.
func (h *Host) ownershipVerified(name string) bool {
	switch {
	case !h.OwnershipRequired:
		return true
	case name == h.Hostname:
		return h.OwnershipVerified
	}
	return slices.Contains(h.VerifiedNames, name)
}

// servedNames are the names c is served for, hostname first: its Names, or
// just the hostname for certificates stored without them.
func (c *Certificate) servedNames(hostname string) []string {
	if len(c.Names) == 0 || c.Names[0] != hostname {
		return []string{hostname}
	}
	return c.Names
}

// expiringWindow is how long before its expiry c counts as expiring soon:
// expiringWithin, or for ACME certificates the last third of their lifetime
// when that is shorter (a 6-day certificate that renews itself is not
// "expiring soon" from the day it is issued).
func (c *Certificate) expiringWindow(expiringWithin time.Duration) time.Duration {
	if c.Source == SourceACME {
		return min(expiringWithin, c.NotAfter.Sub(c.NotBefore)/3)
	}
	return expiringWithin
}
