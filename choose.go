package certs

import (
	"context"
	"fmt"
	"strings"

	"github.com/certs-dev/certs/validate"
)

// Choosing the challenge of an order whose caller names none.
//
// Without DNS requirements in Config.DNS the default stays: http-01, or
// dns-01 for a wildcard. With them (addresses, a CNAME target, or
// dns-persist-01 records to check), the names' DNS is looked up and the
// first challenge that fits every name is chosen:
//
//  1. dns-persist-01 when the _validation-persist record is in place
//     (OfferPersist): nothing else to present, now or at renewal;
//  2. tls-alpn-01 when the names point here directly: the CA reaches this
//     server's TLS listener;
//  3. http-01 when HTTP reaches here but TLS-ALPN-01 cannot: the names go
//     through the platform's CNAME target to a proxy or CDN, which ends
//     TLS itself and passes HTTP on;
//  4. dns-01 when a DNS provider exists, since nothing points here yet;
//  5. dns-persist-01 for a wildcard with OfferPersist and no DNS
//     provider: the order waits for the record;
//  6. else the default, which waits for the DNS to be fixed.
//
// The choice and its reason are kept in ACMEOptions (Challenge,
// ChallengeReason) on the pending order and the issued certificate, and
// logged.

// choosesChallenge reports whether an order without a challenge gets one
// chosen from its names' DNS: Config.DNS has addresses, a CNAME target or
// dns-persist-01 records to check.
func (m *Manager) choosesChallenge() bool {
	c := m.dnsCfg.RequirementsConfig
	return len(c.A) > 0 || len(c.AAAA) > 0 || c.CNAME != "" || m.offersPersist()
}

// chooseChallenge looks up the DNS of o's names, sets o's challenge and
// the reason for it, and keeps the reports for the pre-flight. A DNS check
// that cannot run (no resolvers) keeps the default, saying so; only a done
// ctx is an error.
func (m *Manager) chooseChallenge(ctx context.Context, o *order) error {
	opts, err := m.checkOptions(ctx)
	if err != nil {
		m.setChoice(o, o.options.Challenge, "the DNS could not be checked ("+err.Error()+"), so the default")
		return nil
	}
	reports, err := validate.CheckMany(ctx, o.names, m.dnsRequirements, opts, 0)
	if ctx.Err() != nil {
		return fmt.Errorf("certs: choose the challenge of %s: %w", o.names[0], ctx.Err())
	}
	if err != nil {
		m.setChoice(o, o.options.Challenge, "the DNS could not be checked ("+err.Error()+"), so the default")
		return nil
	}
	o.reports = reports
	c, why := m.decide(o, reports)
	m.setChoice(o, c, why)
	return nil
}

// setChoice records challenge c and why it was chosen on o, and logs it.
func (m *Manager) setChoice(o *order, c ChallengeType, why string) {
	o.options.Challenge = c
	o.options.ChallengeReason = string(c) + ": " + why
	m.log.Info("certs: challenge chosen", "hostname", o.names[0], "challenge", c, "reason", why)
}

// decide picks the first challenge that fits every name of o from their
// DNS reports (see the order above), and says why.
func (m *Manager) decide(o *order, reports map[string]*validate.DNSReport) (ChallengeType, string) {
	names := strings.Join(o.names, ", ")
	every := func(ok func(*validate.DNSReport) bool) bool {
		for _, n := range o.names {
			if r := reports[n]; r == nil || !ok(r) {
				return false
			}
		}
		return true
	}
	wildcard := o.wildcard()
	switch {
	case m.offersPersist() && every(func(r *validate.DNSReport) bool { return r.PersistTXTConfigured }):
		return ChallengeDNSPersist01, "the _validation-persist record of " + names +
			" lets the CA validate it for this ACME account; no DNS provider is needed, now or at renewal"
	case !wildcard && every(func(r *validate.DNSReport) bool { return r.ALPNConfigured }):
		return ChallengeTLSALPN01, names + " points here directly (" + addressesOf(o.names, reports) +
			"), so the CA reaches this server's TLS listener"
	case !wildcard && every(func(r *validate.DNSReport) bool { return r.HTTPConfigured }):
		return ChallengeHTTP01, names + " reaches here through " + m.dnsCfg.CNAME + " at other addresses (" +
			addressesOf(o.names, reports) + "): a proxy or CDN in front ends TLS, so tls-alpn-01 would fail, and passes HTTP on"
	case o.dns != nil:
		return ChallengeDNS01, names + " does not point here (yet), and a DNS provider presents the _acme-challenge record"
	case wildcard && m.offersPersist():
		return ChallengeDNSPersist01, "a wildcard without a DNS provider; the order waits for the _validation-persist record of " + names
	case wildcard:
		return ChallengeDNS01, "a wildcard needs a DNS challenge, and no DNS provider or _validation-persist record is there"
	}
	return ChallengeHTTP01, names + " does not point here yet, there is no DNS provider and no _validation-persist record; " +
		"http-01 by default, retried once Check finds the name pointing here"
}

// addressesOf lists the addresses the names resolve to.
func addressesOf(names []string, reports map[string]*validate.DNSReport) string {
	var out []string
	for _, n := range names {
		for _, a := range reports[n].Records.ResolvedAddresses {
			if !contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return strings.Join(out, ", ")
}
