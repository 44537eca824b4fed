package acme

import (
	"context"
	"errors"
	"fmt"

	"github.com/miekg/dns"

	"github.com/certs-dev/certs/validate"
)

// dnsChecker follows _acme-challenge CNAMEs and checks the propagation of
// DNS-01 records with validate's Resolver, the module's one DNS client
// (the Manager's Check and dnsprovider/rfc2136 use it too). It reads no
// package-global resolver setting, and the system's resolvers only once.
type dnsChecker struct {
	// res is nil when no resolver is known; err then says why.
	res *validate.Resolver
	err error
	// resolvers are Config.DNSResolvers: when set, every query goes to
	// them with recursion desired, and the propagation check asks each.
	// When empty, the system's resolvers find zones, and CNAMEs are
	// followed and propagation checked at the zones' authoritative servers.
	resolvers []string
	// caa caches the CA's CAA identities (see Issuer.CAAIdentities).
	caa caaCache
}

// newDNSChecker returns the checker for Config.DNSResolvers (normalized),
// reading /etc/resolv.conf once when they are empty.
func newDNSChecker(resolvers []string) *dnsChecker {
	if len(resolvers) > 0 {
		return buildDNSChecker(resolvers, nil, "")
	}
	system, err := validate.SystemResolvers("")
	if err != nil {
		return &dnsChecker{err: fmt.Errorf("no DNS resolver: %w; set Config.DNSResolvers", err)}
	}
	return buildDNSChecker(nil, system, "")
}

// buildDNSChecker returns a checker asking resolvers alone when they are
// set, else system and the authoritative servers on nsPort ("" means 53).
func buildDNSChecker(resolvers, system []string, nsPort string) *dnsChecker {
	opts := validate.ResolverOptions{Resolvers: system, NameserverPort: nsPort, Timeout: dnsQueryTimeout}
	if len(resolvers) > 0 {
		opts.Resolvers, opts.ResolversOnly = resolvers, true
	}
	res, err := validate.NewResolver(opts)
	if err != nil {
		return &dnsChecker{err: fmt.Errorf("no DNS resolver: %w; set Config.DNSResolvers", err)}
	}
	return &dnsChecker{res: res, resolvers: resolvers}
}

// challengeFQDN returns the name where a TXT record named name
// ("_acme-challenge.<domain>", or its account-scoped form) goes: name
// itself, fully qualified, or the end of its CNAME chain, which is
// followed up to validate.DefaultMaxCNAMEChain CNAMEs.
func (d *dnsChecker) challengeFQDN(ctx context.Context, name string) (string, error) {
	if d.res == nil {
		return "", d.err
	}
	fqdn := dns.Fqdn(name)
	a, err := d.res.Follow(ctx, fqdn, dns.TypeTXT)
	switch {
	case errors.Is(err, validate.ErrCNAMELoop):
		return "", fmt.Errorf("CNAME loop from %s; fix the CNAME records of the chain: %w", fqdn, err)
	case errors.Is(err, validate.ErrCNAMEChainTooLong):
		return "", fmt.Errorf("more than %d CNAMEs from %s; shorten the chain: %w", validate.DefaultMaxCNAMEChain, fqdn, err)
	case err != nil:
		return "", fmt.Errorf("look up CNAME of %s: %w", fqdn, err)
	}
	return dns.Fqdn(a.Name), nil
}
