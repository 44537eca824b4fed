package validate

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/miekg/dns"
)

// ResolverOptions configure a Resolver. Resolvers is required; every
// other zero value has the default documented on CheckOptions.
type ResolverOptions struct {
	// Resolvers are recursive resolvers ("host" or "host:port").
	Resolvers []string
	// NameserverPort is the port of the authoritative nameservers; empty
	// means "53".
	NameserverPort string
	// Timeout bounds each query; Retries is how often a server that timed
	// out is asked again (negative: never); MaxCNAMEChain bounds the
	// CNAMEs followed.
	Timeout       time.Duration
	Retries       int
	MaxCNAMEChain int
	// ResolversOnly sends every query to the Resolvers, with recursion
	// desired: the authoritative servers are never asked directly (for
	// set-ups where only the resolvers are reachable, or where they are
	// the view of DNS that matters).
	ResolversOnly bool
}

// Resolver is this module's DNS client, shared by Check, the acme
// package (the _acme-challenge CNAME and the propagation of DNS-01
// records) and dnsprovider/rfc2136 (the zone of a record). It finds zones
// (stopping at referrals to child zones), asks their authoritative
// servers directly, follows CNAMEs with a bound, detects loops (also
// those a server answers with SERVFAIL), and queries over UDP, then TCP
// when truncated, retrying on timeouts.
//
// A Resolver is safe for concurrent use and keeps no records between
// calls: every call looks its zones up afresh. Every method honours ctx.
type Resolver struct {
	opts          CheckOptions
	resolversOnly bool
}

// NewResolver checks opts and returns a Resolver. It does no I/O.
// It returns ErrNoResolvers when opts.Resolvers is empty.
func NewResolver(opts ResolverOptions) (*Resolver, error) {
	if len(opts.Resolvers) == 0 {
		return nil, ErrNoResolvers
	}
	co := CheckOptions{Resolvers: opts.Resolvers, NameserverPort: opts.NameserverPort, Timeout: opts.Timeout,
		Retries: opts.Retries, MaxCNAMEChain: opts.MaxCNAMEChain}
	return &Resolver{opts: co.withDefaults(), resolversOnly: opts.ResolversOnly}, nil
}

// session returns a fresh lookup session with its own zone cache.
func (r *Resolver) session() *dnsResolver {
	s := newDNSResolver(r.opts)
	s.resolversOnly = r.resolversOnly
	return s
}

// Zone is a DNS zone and its authoritative servers. Names carry no
// trailing dot.
type Zone struct {
	// Apex is the zone's name; Primary its SOA MNAME (its primary server,
	// "" when unknown); NS its nameservers, sorted.
	Apex, Primary string
	NS            []string
	// Servers are the addresses ("host:port") of the nameservers, at most
	// six; Addrs maps each NS name to its own.
	Servers []string
	Addrs   map[string][]string
}

// Zone finds the zone that holds name, asking the resolvers for SOA
// records from name upwards. A referral from a server that serves the
// parent zone names the child zone, whose servers come from the glue.
// Errors are *LookupError (ErrZoneNotFound, ErrServFail, ...) or ctx's.
func (r *Resolver) Zone(ctx context.Context, name string) (*Zone, error) {
	z, err := r.session().zoneFor(ctx, dns.CanonicalName(name))
	if err != nil {
		return nil, err
	}
	return exportZone(z), nil
}

func exportZone(z *dnsZone) *Zone {
	return &Zone{Apex: dnsName(z.apex), Primary: z.primary, NS: slices.Clone(z.ns),
		Servers: slices.Clone(z.servers), Addrs: maps.Clone(z.addrs)}
}

// Answer is the outcome of Follow.
type Answer struct {
	// Name is where the CNAME chain ends (the asked name when there is
	// none), no trailing dot; Chain the CNAME targets in order.
	Name  string
	Chain []string
	// Records are the records of the asked type at Name.
	Records []dns.RR
	// NXDomain is set when Name does not exist.
	NXDomain bool
}

// Follow looks up name's records of type qtype at its zone's
// authoritative servers (falling back to the resolvers), following
// CNAMEs across zones up to MaxCNAMEChain. Errors are *LookupError
// (ErrCNAMELoop, ErrCNAMEChainTooLong, ErrServFail, ErrDNSTimeout, ...)
// or ctx's.
func (r *Resolver) Follow(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	res := r.session().follow(ctx, dns.Fqdn(name), qtype)
	if res.err != nil {
		return nil, res.err
	}
	a := &Answer{Name: dnsName(name), Chain: dnsNonNil(res.chain), Records: res.rrs, NXDomain: res.nxdomain}
	if len(res.chain) > 0 {
		a.Name = res.chain[len(res.chain)-1]
	}
	return a, nil
}

// Query sends one query for name/qtype to server ("host:port"), with
// recursion desired when recurse is set. It returns the response when it
// is NOERROR or NXDOMAIN, else a *LookupError (ErrServFail,
// ErrDNSRefused, ErrDNSTimeout, ErrDNSFailure) or ctx's error.
func (r *Resolver) Query(ctx context.Context, server, name string, qtype uint16, recurse bool) (*dns.Msg, error) {
	return r.session().ask(ctx, []string{server}, dns.Fqdn(name), qtype, recurse)
}

// TXT returns the values of the TXT records at name that server holds
// (ParseTXT of each), asking with recursion desired when recurse is set.
// A name without TXT records has none; that is not an error.
func (r *Resolver) TXT(ctx context.Context, server, name string, recurse bool) ([]string, error) {
	m, err := r.Query(ctx, server, name, dns.TypeTXT, recurse)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, rr := range recordsAt(m.Answer, dns.Fqdn(name), dns.TypeTXT) {
		v, err := ParseTXT(rr.(*dns.TXT).Txt)
		if err != nil {
			return nil, fmt.Errorf("validate: TXT %s at %s: %w", dnsName(name), server, err)
		}
		out = append(out, v)
	}
	return out, nil
}
