package certs

import (
	"context"
	"fmt"
	"maps"
)

// RenewOptions change what a renewal orders. The zero value renews with the
// names and options the certificate was obtained with. What is changed
// here is kept with the renewed certificate for later renewals, once the
// renewal succeeds; a failed renewal changes nothing but its failure
// record.
type RenewOptions struct {
	// KeyType, Challenge and Profile replace the certificate's own when set.
	KeyType KeyType
	// AltKeyType starts (or changes) the second certificate of the other
	// key family, as ObtainOptions.AltKeyType.
	AltKeyType KeyType
	Challenge  ChallengeType
	Profile    string
	// AutoRenew, when set, switches automatic renewal on or off for the
	// renewed certificate (SetAutoRenew does so without renewing).
	AutoRenew *bool
	// DNSProvider, DNSProviderName and DNSCredentials replace the DNS
	// provider, as in ObtainOptions: a provider by name (built with
	// Config.NewDNSProvider) is kept for later renewals; a provider object
	// is used for this renewal only, and later ones use
	// Config.DNSProviderFor, else Config.DNSProvider.
	DNSProvider     DNSProvider
	DNSProviderName string
	DNSCredentials  DNSCredentials
}

func (o RenewOptions) isZero() bool {
	return o.KeyType == "" && o.AltKeyType == "" && o.Challenge == "" && o.Profile == "" && o.AutoRenew == nil &&
		o.DNSProvider == nil && o.DNSProviderName == "" && len(o.DNSCredentials) == 0
}

// Renew renews a hostname's ACME certificate now, with the names and
// options it was obtained with, changed by opts, and records renewed-from.
// A DNS provider given by name when the certificate was obtained is built
// again from its stored credentials. On failure the current certificate
// goes on being served and the failure is recorded (last attempt, error,
// failure count, rate limit). Without Config.Issuer it returns
// ErrNoIssuer.
//
// When the certificate was obtained with a DNS provider object, which
// cannot be stored, and neither Config.DNSProviderFor nor
// Config.DNSProvider gives one, a dns-01 renewal fails with
// ErrNoDNSProvider: give the provider by name instead.
func (m *Manager) Renew(ctx context.Context, hostname string, opts RenewOptions) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	if m.issuer == nil {
		return nil, ErrNoIssuer
	}
	if err := checkProviderOptions(opts.DNSProvider, opts.DNSProviderName, opts.DNSCredentials); err != nil {
		return nil, err
	}
	if !opts.isZero() { // its own order: never the result of another renewal
		return m.renew(ctx, name, "", opts)
	}
	return m.flights.do(ctx, "renew "+name, func(ctx context.Context) (*Host, error) {
		return m.renew(ctx, name, "", opts)
	})
}

// renew renews name's ACME certificate. When fingerprint is set (the
// scheduler), the renewal is skipped if the certificate changed since it
// was read; reissue re-checks under the Store's lock, so that several
// processes never renew the same certificate twice.
func (m *Manager) renew(ctx context.Context, name, fingerprint string, opts RenewOptions) (*Host, error) {
	h, keys, err := m.load(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("certs: renew %s: %w", name, err)
	}
	c := h.ACME
	switch {
	case c == nil && h.Pending != nil:
		return nil, fmt.Errorf("%w: %s has no ACME certificate to renew yet; its order is pending and retried by the scheduler (call Obtain to retry it now)",
			ErrNoCertificateForSource, name)
	case c == nil:
		return nil, fmt.Errorf("%w: %s has no ACME certificate to renew; use Obtain", ErrNoCertificateForSource, name)
	case c.RevokedAt != nil:
		return nil, fmt.Errorf("%w: %s", ErrAlreadyRevoked, name)
	case fingerprint != "" && c.FingerprintSHA256 != fingerprint:
		return m.Get(ctx, name)
	}
	o, obj, err := m.renewalOrder(name, c, opts)
	if err != nil {
		return nil, err
	}
	if err := m.storedDNS(name, o, obj, keys); err != nil {
		return nil, m.recordFailure(ctx, name, o, err, m.now(), true)
	}
	return m.reissue(ctx, name, o, c.FingerprintSHA256)
}

// renewalOrder is the order renewing c, changed by opts. A provider given
// in opts is returned (by name, built) for this renewal. Its errors are
// the caller's to fix.
func (m *Manager) renewalOrder(name string, c *Certificate, opts RenewOptions) (*order, DNSProvider, error) {
	o := &order{names: c.Names, autoRenew: c.AutoRenew, preferCA: c.CertificateAuthority}
	if len(o.names) == 0 {
		o.names = []string{name}
	}
	if c.Options != nil {
		o.options = *c.Options
	}
	if opts.KeyType != "" {
		o.options.KeyType = opts.KeyType
	}
	if opts.AltKeyType != "" {
		o.options.AltKeyType = opts.AltKeyType
	}
	if opts.Challenge != "" {
		o.options.Challenge = opts.Challenge
	}
	if opts.Profile != "" {
		o.options.Profile = opts.Profile
	}
	if opts.AutoRenew != nil {
		o.autoRenew = *opts.AutoRenew
	}
	if err := o.checkOptions(); err != nil {
		return nil, nil, err
	}
	switch {
	case opts.DNSProvider != nil:
		o.options.DNSProvider = ""
		return o, opts.DNSProvider, nil
	case opts.DNSProviderName != "":
		o.options.DNSProvider = opts.DNSProviderName
		o.creds = maps.Clone(map[string]string(opts.DNSCredentials))
		p, err := m.buildDNSProvider(name, o.options.DNSProvider, o.creds)
		return o, p, err
	}
	return o, nil, nil
}

// storedDNS resolves the DNS provider of a renewal: obj when given, else
// the stored one, rebuilt from the credentials in keys.
func (m *Manager) storedDNS(name string, o *order, obj DNSProvider, keys keyring) error {
	if obj == nil && o.options.DNSProvider != "" {
		creds, err := decodeCredentials(name, keys[dnsCredentialsKey])
		if err != nil {
			return err
		}
		o.creds = creds
	}
	return m.resolveDNS(name, o, obj, true)
}

// reissue places a renewal under the hostname's cross-process lock, unless
// the certificate with fingerprint was renewed or removed meanwhile.
func (m *Manager) reissue(ctx context.Context, name string, o *order, fingerprint string) (*Host, error) {
	ctx, unlock, err := m.lockIssuance(ctx, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, _, err := m.load(ctx, name)
	if err != nil {
		return nil, err
	}
	if h.ACME == nil || h.ACME.FingerprintSHA256 != fingerprint {
		return m.refresh(ctx, name)
	}
	if until := rateLimited(h, m.now()); until != nil {
		return nil, &RateLimitError{RetryAfter: *until,
			Detail: "an earlier order for " + name + " was rate limited (not sent again)"}
	}
	return m.attempt(ctx, name, o, h.ACME, true)
}

// SetAutoRenew switches automatic renewal of a hostname's ACME certificate
// on or off, without renewing it, and reschedules it; a pending order
// gets the setting too, for the certificate it will issue. Switching it
// on for a revoked certificate is ErrAlreadyRevoked; a hostname with
// neither an ACME certificate nor a pending order is
// ErrNoCertificateForSource.
func (m *Manager) SetAutoRenew(ctx context.Context, hostname string, on bool) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	h, err := m.update(ctx, name, false, func(h *Host, _ keyring) error {
		c := h.ACME
		if c == nil && h.Pending == nil {
			return fmt.Errorf("%w: %s has no ACME certificate or pending order; use Obtain", ErrNoCertificateForSource, name)
		}
		if c != nil && c.RevokedAt != nil && on {
			return fmt.Errorf("%w: %s", ErrAlreadyRevoked, name)
		}
		if h.Pending != nil {
			h.Pending.AutoRenew = on
		}
		if c != nil {
			c.AutoRenew = on
			if on && c.NextRenewalAt == nil {
				next := renewalTime(c, nil, m.jitter)
				c.NextRenewalAt = &next
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certs: set auto-renew of %s: %w", name, err)
	}
	m.sched.schedule(name, m.nextWake(h))
	m.withRequirements(h)
	return h, nil
}
