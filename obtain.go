package certs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/certs-dev/certs/validate"
)

// ObtainOptions tune one Obtain or Request. Empty Challenge, KeyType and
// Profile accept the current certificate's whatever they are; a new order
// uses the defaults below.
type ObtainOptions struct {
	// AltNames are extra names on the same certificate (SANs).
	AltNames []string
	// Challenge selects the challenge type. Empty lets the Manager choose:
	// without DNS requirements in Config.DNS, http-01, or dns-01 for
	// wildcards; with them, from what the names' DNS allows (dns-persist-01
	// when its record is in place, tls-alpn-01 when they point here
	// directly, http-01 through a proxy or CDN, dns-01 with a DNS
	// provider), saying why in ACMEOptions.ChallengeReason. dns-01 and
	// dns-account-01 need a DNS provider; dns-persist-01 needs none, only
	// the record of PersistRecord.
	Challenge ChallengeType
	// KeyType of the new key; empty means ec256.
	KeyType KeyType
	// AltKeyType, when set, also obtains a certificate for the same names
	// with a key of the other family (for example rsa2048 beside ec256):
	// Host.ACMEAlt, renewed with the first and served to the clients that
	// cannot use it (old RSA-only clients).
	AltKeyType KeyType
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
	// DisableAutoRenew turns automatic renewal off for the certificate
	// this order issues. To change it for the current certificate, use
	// SetAutoRenew.
	DisableAutoRenew bool
	// DisplayName and Labels, when set, replace the hostname's metadata in
	// the same write that stores the order (see SetMetadata), so that a new
	// hostname never exists without them (for example its tenant,
	// TenantLabel).
	DisplayName string
	Labels      map[string]string
	// DryRun runs every pre-flight check (names, challenge, DNS provider,
	// the CA's directory and account) but places no order and changes
	// nothing.
	DryRun bool
}

// Obtain requests an ACME certificate for hostname (plus AltNames), waits
// for the order and serves the certificate once issued. Concurrent calls
// for one hostname, and the scheduler's retries, share one order.
//
// The order is kept on the hostname as its Pending order until a
// certificate is issued for it: when this attempt fails, the validation
// problems are recorded on the hostname and returned as a
// *ValidationError (or *RateLimitError), what is served does not change,
// and the scheduler (Start, or RenewDue) tries again after 1 minute, 10
// minutes, 100 minutes, then daily, until it succeeds or RemoveACME
// withdraws the order. If ctx ends first, the order stays pending and is
// retried the same way. A valid custom certificate keeps priority in
// GetCertificate. For an order placed in the background, see Request.
//
// When the hostname already holds a usable ACME certificate for the same
// names, not yet due for renewal, whose key type, challenge and profile are
// those set in opts (empty ones match any), Obtain returns it without a new
// order. Asking for another key type, challenge or profile orders a new
// certificate with them, which replaces the current one once issued.
//
// With DryRun it returns the hostname as it is (or as it would start,
// unstored) once every check passed. Without Config.Issuer it returns
// ErrNoIssuer.
func (m *Manager) Obtain(ctx context.Context, hostname string, opts ObtainOptions) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	o, err := m.newOrder(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	if err := m.claimNames(ctx, name, o.names); err != nil {
		return nil, err
	}
	if err := m.preflightDNS(ctx, o); err != nil {
		return nil, err
	}
	if o.dryRun {
		return m.dryRun(ctx, name, o)
	}
	return m.flights.do(ctx, "obtain "+name, func(ctx context.Context) (*Host, error) {
		return m.place(ctx, name, o)
	})
}

// dryRun runs the issuer's checks for o and returns the hostname as it is.
func (m *Manager) dryRun(ctx context.Context, name string, o *order) (*Host, error) {
	if _, err := m.issuer.Issue(ctx, m.request(o)); err != nil {
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

// place runs Obtain's order under the hostname's cross-process lock: it
// stores the order as pending, then attempts it.
func (m *Manager) place(ctx context.Context, name string, o *order) (*Host, error) {
	ctx, unlock, err := m.lockIssuance(ctx, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Re-check under the lock: another process sharing the Store may have
	// done the work meanwhile. Then serve what it stored.
	h, _, err := m.load(ctx, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if h != nil && m.answers(h.ACME, o) {
		return m.refresh(ctx, name)
	}
	if h, err = m.storePending(ctx, name, o, false); err != nil {
		return nil, err
	}
	if until := rateLimited(h, m.now()); until != nil {
		return nil, &RateLimitError{RetryAfter: *until,
			Detail: "an earlier order for " + name + " was rate limited (not sent again; the scheduler places it then)"}
	}
	return m.attempt(ctx, name, o, h.ACME, false)
}

// rateLimited returns when the CA's rate limit of h ends, or nil when it
// is not rate limited at now.
func rateLimited(h *Host, now time.Time) *time.Time {
	if h.RateLimitedUntil != nil && now.Before(*h.RateLimitedUntil) {
		return h.RateLimitedUntil
	}
	return nil
}

// attempt places o with the issuer and records the outcome. old is the
// hostname's current ACME certificate; renew says o renews it.
func (m *Manager) attempt(ctx context.Context, name string, o *order, old *Certificate, renew bool) (*Host, error) {
	req := m.request(o)
	if renew && old != nil {
		req.Replaces = parseLeaf(old.ChainPEM)
	}
	start := m.now()
	issued, err := m.issuer.Issue(ctx, req)
	if err != nil {
		return nil, m.recordFailure(ctx, name, o, err, start, renew)
	}
	h, err := m.recordIssued(ctx, name, o, issued, old, renew)
	if err != nil || o.options.AltKeyType == "" {
		return h, err
	}
	return m.issueAlt(ctx, name, o, h, renew), nil
}

// recordIssued stores and serves a newly issued certificate, and clears
// the pending order it fulfils.
func (m *Manager) recordIssued(ctx context.Context, name string, o *order,
	issued *IssuedCertificate, old *Certificate, renew bool) (*Host, error) {
	cert, err := m.issuedCertificate(name, o, issued, old, renew)
	if err != nil {
		return nil, err
	}
	h, err := m.update(ctx, name, true, func(h *Host, keys keyring) error {
		h.ACME = cert
		h.ACMERequested = true
		h.ValidationErrors = nil
		h.RateLimitedUntil = nil
		keys[SourceACME] = issued.KeyPEM
		setCredentials(keys, dnsCredentialsKey, o.options, o.creds)
		if isPendingOrder(h.Pending, o) {
			h.Pending = nil
			delete(keys, pendingDNSCredentialsKey)
		}
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
	m.emit(ctx, typ, name, SourceACME, h.ACME, nil)
	return h, nil
}

// issuedCertificate is the Certificate of an issued order.
func (m *Manager) issuedCertificate(name string, o *order, issued *IssuedCertificate, old *Certificate, renew bool) (*Certificate, error) {
	leaf := parseLeaf(string(issued.ChainPEM))
	if leaf == nil {
		return nil, fmt.Errorf("certs: the issuer returned an unparsable certificate for %s", name)
	}
	now := m.now()
	opts := o.options
	cert := &Certificate{
		Source: SourceACME, Facts: validate.FactsOf(leaf), ChainPEM: string(issued.ChainPEM),
		CreatedAt: now, UpdatedAt: now, Names: slices.Clone(o.names), CA: issued.CA,
		CertificateAuthority: issued.CAName, FailedCAs: issued.FailedCAs,
		AutoRenew: o.autoRenew, Options: &opts,
	}
	if old != nil && renew {
		cert.CreatedAt = old.CreatedAt
		from := old.NotBefore
		cert.RenewedFrom = &from
		cert.LastRenewAttempt = &now
	}
	next := renewalTime(cert, nil, m.jitter)
	cert.NextRenewalAt = &next
	return cert, nil
}

// recordFailure records a failed order on the hostname (validation
// problems, rate limit, and the backoff of the pending order or of the
// renewal) without touching what is served, and returns the error to give
// the caller.
func (m *Manager) recordFailure(ctx context.Context, name string, o *order, cause error, at time.Time, renew bool) error {
	if ctx.Err() != nil {
		return fmt.Errorf("certs: order for %s: %w", name, cause)
	}
	var verr *ValidationError
	var rl *RateLimitError
	errors.As(cause, &rl)
	h, err := m.update(ctx, name, false, func(h *Host, _ keyring) error {
		if errors.As(cause, &verr) {
			h.ValidationErrors = verr.Problems
		}
		if rl != nil {
			until := rl.RetryAfter
			h.RateLimitedUntil = &until
		}
		if renew {
			noteRenewalFailure(h.ACME, cause, at, rl)
		} else {
			notePendingFailure(h.Pending, o, cause, at, rl)
		}
		return nil
	})
	var cert *Certificate
	if err != nil {
		m.log.Error("certs: recording a failed order", "hostname", name, "error", err)
	} else {
		cert = h.ACME
		m.sched.schedule(name, m.nextWake(h))
	}
	typ := EventObtainFailed
	if renew {
		typ = EventRenewalFailed
	}
	m.emit(ctx, typ, name, SourceACME, cert, cause)
	return fmt.Errorf("certs: order for %s: %w", name, cause)
}

// noteRenewalFailure records a failed renewal on the certificate and sets
// its next attempt on the backoff, or at the rate limit's end.
func noteRenewalFailure(c *Certificate, cause error, at time.Time, rl *RateLimitError) {
	if c == nil {
		return
	}
	c.LastRenewAttempt = &at
	c.LastRenewError = cause.Error()
	c.FailureCount++
	next := at.Add(backoff(c.FailureCount))
	if rl != nil {
		until := rl.RetryAfter
		c.RateLimitedUntil = &until
		if until.After(next) {
			next = until
		}
	}
	c.NextRenewalAt = &next
}
