package certs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/certs-dev/certs/validate"
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
	// Profile is the ACME profile ("classic", "tlsserver", "shortlived");
	// empty lets the issuer choose.
	Profile string
	// DNSProvider overrides Config.DNSProvider for this order. A provider
	// object cannot be stored: renewals and retries use
	// Config.DNSProviderFor, else Config.DNSProvider. To keep a per-order
	// provider for renewals, give it by name instead.
	DNSProvider DNSProvider
	// DNSProviderName and DNSCredentials name a DNS provider and its
	// credentials for this order (for example "cloudflare" and
	// {"apiToken": ...}); Config.NewDNSProvider builds it. Both are kept
	// with the certificate, the credentials sealed like private keys and
	// never shown, so that retries and renewals use the same provider.
	DNSProviderName string
	DNSCredentials  DNSCredentials
	// DisableAutoRenew turns automatic renewal off for this certificate.
	DisableAutoRenew bool
	// DryRun runs every pre-flight check (names, challenge, DNS provider,
	// the CA's directory and account) but places no order and changes
	// nothing.
	DryRun bool
}

// ErrAlreadyRevoked is returned by Revoke for a certificate that is already
// revoked.
var ErrAlreadyRevoked = errors.New("certs: the certificate is already revoked; obtain a new one with Obtain")

// Obtain requests an ACME certificate for hostname (plus AltNames) and
// serves it once issued. Concurrent calls for one hostname share one order.
// While the order runs the hostname's status is pending_validation; on
// failure the validation problems are recorded on the hostname and returned
// as a *ValidationError (or *RateLimitError), and what is served does not
// change. A valid custom certificate keeps priority in GetCertificate.
//
// When the hostname already holds a usable ACME certificate for the same
// names that is not yet due for renewal, Obtain returns it without a new
// order. With DryRun it returns the hostname as it is (or as it would start,
// unstored) once every check passed. Without Config.Issuer it returns
// ErrNoIssuer.
func (m *Manager) Obtain(ctx context.Context, hostname string, opts ObtainOptions) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	req, err := m.obtainRequest(name, opts)
	if err != nil {
		return nil, err
	}
	if err := m.preflightDNS(ctx, req); err != nil {
		return nil, err
	}
	if opts.DryRun {
		if _, err := m.issuer.Issue(ctx, req); err != nil {
			return nil, fmt.Errorf("certs: dry run for %s: %w", name, err)
		}
		h, err := m.Get(ctx, name)
		if errors.Is(err, ErrNotFound) { // nothing is stored by a dry run
			h = &Host{Hostname: name, Status: StatusPendingValidation}
			m.withRequirements(h)
			err = nil
		}
		return h, err
	}
	return m.flights.do(ctx, "obtain "+name, func(ctx context.Context) (*Host, error) {
		return m.issue(ctx, name, req, opts, "")
	})
}

// obtainRequest checks everything about an order that needs no network.
func (m *Manager) obtainRequest(name string, opts ObtainOptions) (IssueRequest, error) {
	if m.issuer == nil {
		return IssueRequest{}, ErrNoIssuer
	}
	names := []string{name}
	for _, alt := range opts.AltNames {
		n, err := NormalizeHostname(alt)
		if err != nil {
			return IssueRequest{}, err
		}
		if !contains(names, n) {
			names = append(names, n)
		}
	}
	challenge := opts.Challenge
	wildcard := false
	for _, n := range names {
		wildcard = wildcard || strings.HasPrefix(n, "*.")
	}
	if challenge == "" {
		challenge = ChallengeHTTP01
		if wildcard {
			challenge = ChallengeDNS01
		}
	}
	switch challenge {
	case ChallengeHTTP01, ChallengeTLSALPN01, ChallengeDNS01:
	default:
		return IssueRequest{}, fmt.Errorf("%w (got %q)", ErrInvalidChallenge, challenge)
	}
	if wildcard && challenge != ChallengeDNS01 {
		return IssueRequest{}, ErrWildcardNeedsDNS01
	}
	if opts.KeyType != "" && !opts.KeyType.Valid() {
		return IssueRequest{}, fmt.Errorf("%w (got %q)", ErrInvalidKeyType, opts.KeyType)
	}
	dns := opts.DNSProvider
	if dns == nil {
		dns = m.dnsProviderFor(name)
	}
	if challenge == ChallengeDNS01 && dns == nil {
		return IssueRequest{}, ErrNoDNSProvider
	}
	return IssueRequest{
		Names: names, KeyType: opts.KeyType, Profile: opts.Profile, Challenge: challenge,
		HTTP01: httpSolver{m}, TLSALPN01: alpnSolver{m}, DNS01: dns, DryRun: opts.DryRun,
	}, nil
}

func (m *Manager) dnsProviderFor(name string) DNSProvider {
	if m.dnsFor != nil {
		if p := m.dnsFor(name); p != nil {
			return p
		}
	}
	return m.dns
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// issue runs one order for name under the hostname's cross-process lock and
// records the outcome. renewOf is the fingerprint of the certificate being
// renewed ("" for Obtain).
func (m *Manager) issue(ctx context.Context, name string, req IssueRequest, opts ObtainOptions, renewOf string) (*Host, error) {
	unlock, err := m.lockIssuance(ctx, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Re-check after taking the lock: another process sharing the Store
	// may have done the work meanwhile. Then serve what it stored.
	h, _, err := m.load(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	renew := renewOf != ""
	if h != nil && ((!renew && m.current(h, req.Names)) ||
		(renew && (h.ACME == nil || h.ACME.FingerprintSHA256 != renewOf))) {
		return m.refresh(ctx, name)
	}
	if h != nil && h.RateLimitedUntil != nil && m.now().Before(*h.RateLimitedUntil) {
		return nil, &RateLimitError{RetryAfter: *h.RateLimitedUntil,
			Detail: "an earlier order for " + name + " was rate limited (not sent again)"}
	}
	var old *Certificate
	if h != nil && h.ACME != nil {
		old = h.ACME
		if renew {
			req.Replaces = parseLeaf(old.ChainPEM)
		}
	}
	if _, err := m.update(ctx, name, true, func(h *Host, _ keyring) error {
		h.ACMERequested = true
		return nil
	}); err != nil {
		return nil, err
	}
	start := m.now()
	issued, err := m.issuer.Issue(ctx, req)
	if err == nil {
		return m.recordIssued(ctx, name, req, opts, issued, old, renew)
	}
	return nil, m.recordFailure(ctx, name, err, start, renew)
}

// current reports whether h already holds a usable ACME certificate for
// names that is not due for renewal.
func (m *Manager) current(h *Host, names []string) bool {
	c := h.ACME
	if c == nil || c.RevokedAt != nil || len(c.Names) != len(names) {
		return false
	}
	for i := range names {
		if c.Names[i] != names[i] {
			return false
		}
	}
	now := m.now()
	return now.After(c.NotBefore) && now.Before(c.NotAfter) && (c.NextRenewalAt == nil || now.Before(*c.NextRenewalAt))
}

// recordIssued stores and serves a newly issued certificate.
func (m *Manager) recordIssued(ctx context.Context, name string, req IssueRequest, opts ObtainOptions,
	issued *IssuedCertificate, old *Certificate, renew bool) (*Host, error) {
	leaf := parseLeaf(string(issued.ChainPEM))
	if leaf == nil {
		return nil, fmt.Errorf("certs: the issuer returned an unparsable certificate for %s", name)
	}
	now := m.now()
	cert := &Certificate{
		Source: SourceACME, Facts: validate.FactsOf(leaf), ChainPEM: string(issued.ChainPEM),
		CreatedAt: now, UpdatedAt: now, Names: req.Names, CA: issued.CA,
		AutoRenew: !opts.DisableAutoRenew,
		Options:   &ACMEOptions{KeyType: req.KeyType, Challenge: req.Challenge, Profile: req.Profile},
	}
	if old != nil && renew {
		cert.AutoRenew = old.AutoRenew
		cert.CreatedAt = old.CreatedAt
		from := old.NotBefore
		cert.RenewedFrom = &from
		cert.LastRenewAttempt = &now
	}
	next := renewalTime(cert, nil, m.jitter)
	cert.NextRenewalAt = &next
	h, err := m.update(ctx, name, true, func(h *Host, keys keyring) error {
		h.ACME = cert
		h.ACMERequested = true
		h.ValidationErrors = nil
		h.RateLimitedUntil = nil
		keys[SourceACME] = issued.KeyPEM
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certs: store issued certificate for %s: %w", name, err)
	}
	m.sched.schedule(name, m.nextWake(h))
	typ := EventIssued
	if renew {
		typ = EventRenewed
	}
	m.log.Info("certs: "+string(typ)+" ACME certificate", "hostname", name, "not_after", cert.NotAfter)
	m.emit(typ, name, SourceACME, h.ACME, nil)
	return h, nil
}

// recordFailure records a failed order on the hostname (validation
// problems, rate limit, backoff) without touching what is served, and
// returns the error to give the caller.
func (m *Manager) recordFailure(ctx context.Context, name string, cause error, at time.Time, renew bool) error {
	if ctx.Err() != nil {
		return fmt.Errorf("certs: order for %s: %w", name, cause)
	}
	var verr *ValidationError
	var rl *RateLimitError
	h, err := m.update(ctx, name, true, func(h *Host, _ keyring) error {
		if errors.As(cause, &verr) {
			h.ValidationErrors = verr.Problems
		}
		if errors.As(cause, &rl) {
			until := rl.RetryAfter
			h.RateLimitedUntil = &until
		}
		c := h.ACME
		if c == nil {
			return nil
		}
		c.LastRenewAttempt = &at
		c.LastRenewError = cause.Error()
		c.FailureCount++
		next := at.Add(backoff(c.FailureCount))
		if errors.As(cause, &rl) {
			until := rl.RetryAfter
			c.RateLimitedUntil = &until
			if until.After(next) {
				next = until
			}
		}
		c.NextRenewalAt = &next
		return nil
	})
	if err != nil {
		m.log.Error("certs: recording a failed order", "hostname", name, "error", err)
	} else if h.ACME != nil {
		m.sched.schedule(name, m.nextWake(h))
	}
	typ := EventObtainFailed
	if renew {
		typ = EventRenewalFailed
	}
	var cert *Certificate
	if h != nil {
		cert = h.ACME
	}
	m.emit(typ, name, SourceACME, cert, cause)
	return fmt.Errorf("certs: order for %s: %w", name, cause)
}

// lockIssuance takes the Store's cross-process lock for a hostname's
// orders when the Store is a Locker.
func (m *Manager) lockIssuance(ctx context.Context, name string) (func(), error) {
	l, ok := m.store.(Locker)
	if !ok {
		return func() {}, nil
	}
	unlock, err := l.Lock(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("certs: lock %s for issuance: %w", name, err)
	}
	return unlock, nil
}

// RenewOptions change what a renewal orders. The zero value renews with the
// names and options the certificate was obtained with. What is changed here
// is kept for later renewals.
type RenewOptions struct {
	// KeyType, Challenge and Profile replace the certificate's own when set.
	KeyType   KeyType
	Challenge ChallengeType
	Profile   string
	// AutoRenew, when set, switches automatic renewal on or off.
	AutoRenew *bool
	// DNSProvider, DNSProviderName and DNSCredentials replace the DNS
	// provider, as in ObtainOptions.
	DNSProvider     DNSProvider
	DNSProviderName string
	DNSCredentials  DNSCredentials
}

// Renew renews a hostname's ACME certificate now, with the names and
// options it was obtained with (changed by opts), and records renewed-from. On failure the
// current certificate goes on being served and the failure is recorded
// (last attempt, error, failure count, rate limit). Without Config.Issuer
// it returns ErrNoIssuer.
func (m *Manager) Renew(ctx context.Context, hostname string, opts RenewOptions) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	if m.issuer == nil {
		return nil, ErrNoIssuer
	}
	return m.flights.do(ctx, "renew "+name, func(ctx context.Context) (*Host, error) {
		return m.renew(ctx, name, "")
	})
}

// renew renews name's ACME certificate. When fingerprint is set (the
// scheduler), the renewal is skipped if the certificate changed since it
// was read; issue re-checks under the Store's lock, so that several
// processes never renew the same certificate twice.
func (m *Manager) renew(ctx context.Context, name, fingerprint string) (*Host, error) {
	h, err := m.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	c := h.ACME
	if c == nil {
		return nil, fmt.Errorf("%w: %s has no ACME certificate to renew; use Obtain", ErrNoCertificateForSource, name)
	}
	if c.RevokedAt != nil {
		return nil, fmt.Errorf("%w: %s", ErrAlreadyRevoked, name)
	}
	if fingerprint != "" && c.FingerprintSHA256 != fingerprint {
		return h, nil
	}
	opts := ObtainOptions{}
	if c.Options != nil {
		opts.KeyType, opts.Challenge, opts.Profile = c.Options.KeyType, c.Options.Challenge, c.Options.Profile
	}
	names := c.Names
	if len(names) == 0 {
		names = []string{name}
	}
	opts.AltNames = names[1:]
	req, err := m.obtainRequest(name, opts)
	if err != nil {
		return nil, err
	}
	return m.issue(ctx, name, req, opts, c.FingerprintSHA256)
}

// Revoke revokes a hostname's ACME certificate with an RFC 5280 reason.
// Revocation is irreversible: the status becomes revoked, GetCertificate
// falls back to the custom certificate, and automatic renewal stops.
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
	if err := m.issuer.Revoke(ctx, []byte(c.ChainPEM), reason); err != nil {
		return nil, fmt.Errorf("certs: revoke %s: %w", name, err)
	}
	now := m.now()
	h, err = m.update(ctx, name, false, func(h *Host, _ keyring) error {
		if h.ACME == nil || h.ACME.FingerprintSHA256 != c.FingerprintSHA256 {
			return nil // replaced meanwhile: nothing of ours to mark
		}
		h.ACME.RevokedAt = &now
		r := reason
		h.ACME.RevocationReason = &r
		h.ACME.AutoRenew = false
		h.ACME.NextRenewalAt = nil
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certs: record revocation of %s: %w", name, err)
	}
	m.sched.unschedule(name)
	m.log.Info("certs: revoked ACME certificate", "hostname", name, "reason", int(reason))
	m.emit(EventRevoked, name, SourceACME, h.ACME, nil)
	return h, nil
}
