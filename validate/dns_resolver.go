package validate

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// dnsResolver is one lookup session of a Resolver: it finds zones, asks
// their authoritative servers directly and falls back to the recursive
// resolvers. It is safe for concurrent use; one is shared by the checks
// of a CheckMany so that each zone is loaded once, and each call of a
// Resolver's methods gets a new one, so that records are always fresh.
type dnsResolver struct {
	opts   CheckOptions
	client dnsClient
	zones  zoneCache
	// resolversOnly sends every query to the resolvers (ResolverOptions.ResolversOnly).
	resolversOnly bool
}

func newDNSResolver(opts CheckOptions) *dnsResolver {
	opts = opts.withDefaults()
	return &dnsResolver{
		opts:   opts,
		client: dnsClient{timeout: opts.Timeout, retries: opts.Retries},
		zones:  zoneCache{zones: map[string]*zoneEntry{}, failed: map[string]error{}},
	}
}

// ask sends the query to each server in turn until one answers NOERROR
// or NXDOMAIN. On failure it returns a *LookupError naming the last
// server, or ctx.Err().
func (r *dnsResolver) ask(ctx context.Context, servers []string, name string, qtype uint16, recurse bool) (*dns.Msg, error) {
	lerr := &LookupError{Name: dnsName(name), Type: dns.TypeToString[qtype], Err: ErrDNSFailure}
	for _, server := range servers {
		m, err := r.client.exchange(ctx, server, name, qtype, recurse)
		if err == nil {
			err = rcodeError(m.Rcode)
		}
		if err == nil {
			return m, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lerr.Server, lerr.Err = server, err
	}
	return nil, lerr
}

// askResolvers asks the recursive resolvers.
func (r *dnsResolver) askResolvers(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	return r.ask(ctx, r.opts.Resolvers, name, qtype, true)
}

// askAuth asks the authoritative servers of name's zone: the closest
// zone already loaded, or the zone found by walking up with SOA queries.
// A referral to a child zone makes it find that zone and ask again. When
// the authoritative servers fail, it asks the resolvers not yet asked and
// reports the authoritative failure if they fail too. With resolversOnly
// it asks the resolvers alone.
func (r *dnsResolver) askAuth(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	if r.resolversOnly {
		return r.askResolvers(ctx, name, qtype)
	}
	zone := r.zones.closest(name)
	if zone == nil {
		z, err := r.zoneFor(ctx, name)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil {
			zone = z
		}
	}
	var servers []string
	if zone != nil {
		servers = zone.servers
	}
	m, err := r.ask(ctx, servers, name, qtype, false)
	if err == nil && isReferral(m) {
		if z, zerr := r.zoneFor(ctx, name); zerr == nil && z.apex != zone.apex {
			servers = z.servers
			m, err = r.ask(ctx, servers, name, qtype, false)
		}
	}
	if err == nil || ctx.Err() != nil {
		return m, err
	}
	return r.fallback(ctx, servers, name, qtype, err)
}

// fallback asks the resolvers that are not among the servers already
// asked. It reports the authoritative failure authErr when they fail too.
func (r *dnsResolver) fallback(ctx context.Context, asked []string, name string, qtype uint16, authErr error) (*dns.Msg, error) {
	var rest []string
	for _, s := range r.opts.Resolvers {
		if !slices.Contains(asked, s) {
			rest = append(rest, s)
		}
	}
	if len(rest) == 0 {
		return nil, authErr
	}
	m, err := r.ask(ctx, rest, name, qtype, true)
	switch {
	case err == nil || ctx.Err() != nil:
		return m, err
	case len(asked) == 0:
		return nil, err
	}
	return nil, authErr
}

// isReferral reports a non-authoritative answer delegating to a child zone.
func isReferral(m *dns.Msg) bool {
	return referralCut(m) != ""
}

// referralCut returns the owner of the NS records of a referral (the
// child zone's apex, canonical), or "" when m is not a referral.
func referralCut(m *dns.Msg) string {
	if m.Authoritative || len(m.Answer) > 0 || m.Rcode != dns.RcodeSuccess {
		return ""
	}
	for _, rr := range m.Ns {
		if rr.Header().Rrtype == dns.TypeNS {
			return dns.CanonicalName(rr.Header().Name)
		}
	}
	return ""
}

// lookupResult is the outcome of following a name to records of one type.
type lookupResult struct {
	chain    []string // CNAME targets in order, no trailing dots
	rrs      []dns.RR // records of the type at the end of the chain
	nxdomain bool     // the last name does not exist
	err      error    // *LookupError or ctx.Err()
}

// follow looks up name/qtype at the authoritative servers, following
// CNAMEs (within one answer and across zones) up to MaxCNAMEChain. A
// SERVFAIL (what BIND and recursive resolvers answer for a CNAME loop) is
// examined hop by hop with CNAME queries, so that a loop is reported as
// one.
func (r *dnsResolver) follow(ctx context.Context, name string, qtype uint16) lookupResult {
	var res lookupResult
	cur := dns.CanonicalName(name)
	seen := map[string]bool{cur: true}
	for {
		m, err := r.askAuth(ctx, cur, qtype)
		if err != nil {
			if errors.Is(err, ErrServFail) && qtype != dns.TypeCNAME {
				err = r.chase(ctx, &res, seen, name, qtype, cur, err)
			}
			res.err = err
			return res
		}
		asked := cur
		for {
			if rrs := recordsAt(m.Answer, cur, qtype); len(rrs) > 0 {
				res.rrs = rrs
				return res
			}
			target := cnameTarget(m.Answer, cur)
			if target == "" {
				break
			}
			if err := r.chainStep(&res, seen, name, qtype, target); err != nil {
				res.err = err
				return res
			}
			cur = target
		}
		if cur == asked {
			res.nxdomain = m.Rcode == dns.RcodeNameError
			return res
		}
	}
}

// chase follows the CNAMEs from cur with CNAME queries, which servers
// answer without following them, after a query of name/qtype failed at
// cur with failed. It returns the loop or over-long chain it finds, else
// failed.
func (r *dnsResolver) chase(ctx context.Context, res *lookupResult, seen map[string]bool, name string, qtype uint16, cur string, failed error) error {
	for range r.opts.MaxCNAMEChain + 1 {
		m, err := r.askAuth(ctx, cur, dns.TypeCNAME)
		if err != nil {
			return failed
		}
		target := cnameTarget(m.Answer, cur)
		if target == "" {
			return failed
		}
		if err := r.chainStep(res, seen, name, qtype, target); err != nil {
			return err
		}
		cur = target
	}
	return failed
}

// chainStep appends target to the chain, failing on a loop or an
// over-long chain.
func (r *dnsResolver) chainStep(res *lookupResult, seen map[string]bool, name string, qtype uint16, target string) error {
	lerr := &LookupError{Name: dnsName(name), Type: dns.TypeToString[qtype]}
	res.chain = append(res.chain, dnsName(target))
	path := strings.Join(append([]string{dnsName(name)}, res.chain...), " -> ")
	switch {
	case seen[target]:
		lerr.Err, lerr.Detail = ErrCNAMELoop, path
	case len(res.chain) > r.opts.MaxCNAMEChain:
		lerr.Err, lerr.Detail = ErrCNAMEChainTooLong, path
	default:
		seen[target] = true
		return nil
	}
	return lerr
}

// recordsAt returns the records of qtype owned by name.
func recordsAt(rrs []dns.RR, name string, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range rrs {
		if rr.Header().Rrtype == qtype && strings.EqualFold(rr.Header().Name, name) {
			out = append(out, rr)
		}
	}
	return out
}

// cnameTarget returns the canonical target of name's CNAME in rrs, or "".
func cnameTarget(rrs []dns.RR, name string) string {
	for _, rr := range rrs {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
			return dns.CanonicalName(c.Target)
		}
	}
	return ""
}
