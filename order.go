package certs

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/certs-dev/certs/validate"
)

// order is one ACME order to place: what Obtain and Request ask for, what
// the scheduler retries for a pending order, and what a renewal reorders.
type order struct {
	names []string
	// options are the order's options, Challenge resolved; DNSProvider
	// names a provider kept with the record, if any.
	options ACMEOptions
	// asked are the options the caller set (empty: any will do), to tell
	// whether the current certificate already answers the request.
	asked     ACMEOptions
	autoRenew bool
	// dns presents DNS-01 records; nil unless resolved.
	dns DNSProvider
	// creds are the credentials of options.DNSProvider. A secret.
	creds  map[string]string
	dryRun bool
	// preferCA is the CA to try first: a renewal's certificate's CA.
	preferCA string
	// displayName and labels are set on the hostname with the order.
	displayName string
	labels      map[string]string
	// reports are the DNS checks that chose the challenge, by name, for
	// the pre-flight to reuse; nil when none ran.
	reports map[string]*validate.DNSReport
}

// newOrder checks everything about an Obtain or Request: names, challenge,
// key type and DNS provider. When the caller names no challenge and
// Config.DNS says where names should point, it looks the names' DNS up to
// choose one (see chooseChallenge); otherwise it needs no network.
func (m *Manager) newOrder(ctx context.Context, name string, opts ObtainOptions) (*order, error) {
	if m.issuer == nil {
		return nil, ErrNoIssuer
	}
	names := []string{name}
	for _, alt := range opts.AltNames {
		n, err := NormalizeHostname(alt)
		if err != nil {
			return nil, err
		}
		if !contains(names, n) {
			names = append(names, n)
		}
	}
	o := &order{
		names: names,
		options: ACMEOptions{KeyType: opts.KeyType, Challenge: opts.Challenge, Profile: opts.Profile,
			DNSProvider: opts.DNSProviderName, AltKeyType: opts.AltKeyType},
		asked:       ACMEOptions{KeyType: opts.KeyType, Challenge: opts.Challenge, Profile: opts.Profile, AltKeyType: opts.AltKeyType},
		autoRenew:   !opts.DisableAutoRenew,
		creds:       maps.Clone(map[string]string(opts.DNSCredentials)),
		displayName: opts.DisplayName, labels: maps.Clone(opts.Labels),
		dryRun: opts.DryRun,
	}
	if err := o.checkOptions(); err != nil {
		return nil, err
	}
	if err := checkProviderOptions(opts.DNSProvider, opts.DNSProviderName, opts.DNSCredentials); err != nil {
		return nil, err
	}
	if err := m.pickDNS(name, o, opts.DNSProvider); err != nil {
		return nil, err
	}
	if o.asked.Challenge == "" && m.choosesChallenge() {
		if err := m.chooseChallenge(ctx, o); err != nil {
			return nil, err
		}
	}
	if err := o.requireDNS(name, false); err != nil {
		return nil, err
	}
	return o, nil
}

// wildcard reports whether one of the order's names is a wildcard.
func (o *order) wildcard() bool {
	return slices.ContainsFunc(o.names, func(n string) bool { return strings.HasPrefix(n, "*.") })
}

// checkOptions validates the key type and the challenge, and resolves an
// empty challenge: http-01, or dns-01 when a name is a wildcard. A
// ChallengeReason that is not about the challenge (a renewal changed it)
// is dropped.
func (o *order) checkOptions() error {
	if o.options.KeyType != "" && !o.options.KeyType.Valid() {
		return fmt.Errorf("%w (got %q)", ErrInvalidKeyType, o.options.KeyType)
	}
	if alt := o.options.AltKeyType; alt != "" && (!alt.Valid() || alt.rsa() == keyTypeOrDefault(o.options.KeyType).rsa()) {
		return fmt.Errorf("%w: AltKeyType %q must be of the other family than KeyType %q (RSA beside ECDSA, or ECDSA beside RSA)",
			ErrInvalidKeyType, alt, keyTypeOrDefault(o.options.KeyType))
	}
	wildcard := o.wildcard()
	switch c := o.options.Challenge; {
	case c == "":
		o.options.Challenge = ChallengeHTTP01
		if wildcard {
			o.options.Challenge = ChallengeDNS01
		}
	case !c.Valid():
		return fmt.Errorf("%w (got %q; dns-account-01 and dns-persist-01 are valid too)", ErrInvalidChallenge, c)
	}
	if wildcard && !o.options.Challenge.DNSBased() {
		return fmt.Errorf("%w (got %s; dns-account-01 and dns-persist-01 validate wildcards too)", ErrWildcardNeedsDNS01, o.options.Challenge)
	}
	if !strings.HasPrefix(o.options.ChallengeReason, string(o.options.Challenge)+": ") {
		o.options.ChallengeReason = ""
	}
	return nil
}

// resolveDNS sets the order's DNS provider: obj when given, else the one
// the options name (built from the order's credentials), else
// Config.DNSProviderFor, else Config.DNSProvider. DNS-01 and
// DNS-ACCOUNT-01 without any are ErrNoDNSProvider (DNS-PERSIST-01 needs
// none); stored says the order was read back from the Store, where a
// provider object cannot have been kept.
func (m *Manager) resolveDNS(hostname string, o *order, obj DNSProvider, stored bool) error {
	if err := m.pickDNS(hostname, o, obj); err != nil {
		return err
	}
	return o.requireDNS(hostname, stored)
}

// pickDNS sets the order's DNS provider as resolveDNS does, whether or not
// its challenge needs one.
func (m *Manager) pickDNS(hostname string, o *order, obj DNSProvider) error {
	switch {
	case obj != nil:
		o.dns = obj
	case o.options.DNSProvider != "":
		p, err := m.buildDNSProvider(hostname, o.options.DNSProvider, o.creds)
		if err != nil {
			return err
		}
		o.dns = p
	default:
		o.dns = m.dnsProviderFor(hostname)
	}
	return nil
}

// requireDNS fails when the order's challenge needs a DNS provider and it
// has none.
func (o *order) requireDNS(hostname string, stored bool) error {
	if !o.options.Challenge.needsDNSProvider() || o.dns != nil {
		return nil
	}
	if stored {
		return fmt.Errorf("certs: order for %s: %w", hostname, errProviderNotStored)
	}
	if o.options.Challenge == ChallengeDNSAccount01 {
		return fmt.Errorf("%w (dns-account-01 presents its TXT record through one too)", ErrNoDNSProvider)
	}
	return ErrNoDNSProvider
}

// request is the IssueRequest of the order.
func (m *Manager) request(o *order) IssueRequest {
	return IssueRequest{
		Names: o.names, KeyType: o.options.KeyType, Profile: o.options.Profile, Challenge: o.options.Challenge,
		HTTP01: httpSolver{m}, TLSALPN01: alpnSolver{m}, DNS01: o.dns, DryRun: o.dryRun,
		PreferCA: o.preferCA,
	}
}

// answers reports whether the current certificate c already answers the
// order: same names, the options the caller set (empty ones match any),
// usable and not due for renewal.
func (m *Manager) answers(c *Certificate, o *order) bool {
	if c == nil || c.RevokedAt != nil || !slices.Equal(c.Names, o.names) {
		return false
	}
	var have ACMEOptions
	if c.Options != nil {
		have = *c.Options
	}
	if (o.asked.KeyType != "" && keyTypeOrDefault(have.KeyType) != keyTypeOrDefault(o.asked.KeyType)) ||
		(o.asked.Challenge != "" && have.Challenge != o.asked.Challenge) ||
		(o.asked.Profile != "" && have.Profile != o.asked.Profile) ||
		(o.asked.AltKeyType != "" && have.AltKeyType != o.asked.AltKeyType) {
		return false
	}
	now := m.now()
	return now.After(c.NotBefore) && now.Before(c.NotAfter) && (c.NextRenewalAt == nil || now.Before(*c.NextRenewalAt))
}

// keyTypeOrDefault is k, or ec256 when empty.
func keyTypeOrDefault(k KeyType) KeyType {
	if k == "" {
		return KeyEC256
	}
	return k
}

// isPendingOrder reports whether p is the pending form of o: same names
// and options (whatever the reason a challenge was chosen).
func isPendingOrder(p *PendingOrder, o *order) bool {
	if p == nil || !slices.Equal(p.Names, o.names) {
		return false
	}
	have, want := p.Options, o.options
	have.ChallengeReason, want.ChallengeReason = "", ""
	return have == want
}

// dnsProviderFor is Config.DNSProviderFor's provider for name, else
// Config.DNSProvider.
func (m *Manager) dnsProviderFor(name string) DNSProvider {
	if m.dnsFor != nil {
		if p := m.dnsFor(name); p != nil {
			return p
		}
	}
	return m.dns
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
