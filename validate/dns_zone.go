package validate

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// maxNameservers bounds the authoritative servers asked per zone.
const maxNameservers = 6

// dnsZone is a zone and the addresses of its authoritative servers.
type dnsZone struct {
	apex    string   // lowercase FQDN
	primary string   // SOA MNAME, no trailing dot
	ns      []string // NS names, no trailing dot, sorted
	servers []string // host:port of the authoritative servers
	// addrs maps each NS name (no trailing dot) to its servers (host:port).
	addrs map[string][]string
}

// zoneEntry is a zone being loaded or loaded; done closes when it is.
type zoneEntry struct {
	done chan struct{}
	zone *dnsZone
	err  error
}

// zoneCache remembers zones for the duration of one Check or CheckMany,
// loading each zone once however many goroutines ask.
type zoneCache struct {
	mu    sync.Mutex
	zones map[string]*zoneEntry
	// failed remembers names whose zone could not be found, so that the
	// concurrent lookups of one check do not each wait for the same timeout.
	failed map[string]error
}

// closest returns the loaded zone with the longest apex enclosing name.
func (c *zoneCache) closest(name string) *dnsZone {
	c.mu.Lock()
	defer c.mu.Unlock()
	for n := name; ; {
		if e, ok := c.zones[n]; ok {
			select {
			case <-e.done:
				if e.err == nil {
					return e.zone
				}
			default:
			}
		}
		off, end := dns.NextLabel(n, 0)
		if end {
			return nil
		}
		n = n[off:]
	}
}

// zoneFor finds the zone enclosing name (walking up with SOA queries to
// the resolvers) and loads its nameservers.
func (r *dnsResolver) zoneFor(ctx context.Context, name string) (*dnsZone, error) {
	r.zones.mu.Lock()
	err, failed := r.zones.failed[name]
	r.zones.mu.Unlock()
	if failed {
		return nil, err
	}
	apex, primary, ref, err := r.findApex(ctx, name)
	if err != nil {
		if ctx.Err() == nil {
			r.zones.mu.Lock()
			r.zones.failed[name] = err
			r.zones.mu.Unlock()
		}
		return nil, err
	}
	r.zones.mu.Lock()
	e, ok := r.zones.zones[apex]
	if !ok {
		e = &zoneEntry{done: make(chan struct{})}
		r.zones.zones[apex] = e
	}
	r.zones.mu.Unlock()
	if !ok {
		e.zone, e.err = r.loadZone(ctx, apex, primary, ref)
		close(e.done)
	}
	select {
	case <-e.done:
		return e.zone, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// findApex walks up from name asking the resolvers for SOA records. An
// answer's SOA at the asked name, or the SOA of a negative answer that
// did not go through a CNAME, names the zone. A referral (a server that
// serves the parent zone and delegates the child) names the child zone
// and is returned as ref, whose NS records and glue lead to its servers.
// A name whose query fails with SERVFAIL but that has a CNAME (a loop
// the server gives up on) is not an apex: the walk goes on above it.
func (r *dnsResolver) findApex(ctx context.Context, name string) (apex, primary string, ref *dns.Msg, err error) {
	for cand := name; ; {
		m, err := r.askResolvers(ctx, cand, dns.TypeSOA)
		switch {
		case err != nil:
			if !errors.Is(err, ErrServFail) || !r.isAlias(ctx, cand) {
				return "", "", nil, err
			}
		case soaAt(m.Answer, cand) != nil:
			return cand, dnsName(soaAt(m.Answer, cand).Ns), nil, nil
		case referralCut(m) != "." && referralCut(m) != "" && dns.IsSubDomain(referralCut(m), cand):
			return referralCut(m), "", m, nil
		case cnameTarget(m.Answer, cand) == "":
			if soa := firstSOA(m.Ns); soa != nil && dns.IsSubDomain(soa.Hdr.Name, cand) {
				return dns.CanonicalName(soa.Hdr.Name), dnsName(soa.Ns), nil, nil
			}
		}
		off, end := dns.NextLabel(cand, 0)
		if end {
			return "", "", nil, &LookupError{Name: dnsName(name), Type: "SOA", Err: ErrZoneNotFound}
		}
		cand = cand[off:]
	}
}

// isAlias reports whether name has a CNAME record, asking the resolvers
// with a CNAME query (which servers answer without following it).
func (r *dnsResolver) isAlias(ctx context.Context, name string) bool {
	m, err := r.askResolvers(ctx, name, dns.TypeCNAME)
	return err == nil && cnameTarget(m.Answer, name) != ""
}

// loadZone finds the zone's NS records and their addresses (glue first):
// from the referral ref when the zone was found through one, else by
// asking the resolvers. A zone whose servers cannot be found is still
// returned; queries for it then go to the resolvers. The primary of a
// zone found through a referral is asked of its own servers.
func (r *dnsResolver) loadZone(ctx context.Context, apex, primary string, ref *dns.Msg) (*dnsZone, error) {
	z := &dnsZone{apex: apex, primary: primary, addrs: map[string][]string{}}
	if ref == nil {
		m, err := r.askResolvers(ctx, apex, dns.TypeNS)
		if err != nil {
			return z, nil
		}
		ref = m
	}
	nsRRs := ref.Answer
	if referralCut(ref) == apex {
		nsRRs = ref.Ns
	}
	glue := glueAddrs(ref.Extra)
	for _, rr := range nsRRs {
		ns, ok := rr.(*dns.NS)
		if !ok || !strings.EqualFold(ns.Hdr.Name, apex) {
			continue
		}
		host := dns.CanonicalName(ns.Ns)
		z.ns = append(z.ns, dnsName(host))
		addrs, ok := glue[host]
		if !ok {
			addrs = r.hostAddrs(ctx, host)
		}
		for _, ip := range addrs {
			s := net.JoinHostPort(ip, r.opts.NameserverPort)
			z.addrs[dnsName(host)] = append(z.addrs[dnsName(host)], s)
			if !slices.Contains(z.servers, s) && len(z.servers) < maxNameservers {
				z.servers = append(z.servers, s)
			}
		}
	}
	slices.Sort(z.ns)
	if z.primary == "" && len(z.servers) > 0 {
		if m, err := r.ask(ctx, z.servers, apex, dns.TypeSOA, false); err == nil && soaAt(m.Answer, apex) != nil {
			z.primary = dnsName(soaAt(m.Answer, apex).Ns)
		}
	}
	return z, nil
}

// glueAddrs maps the owners of the A records in extra to their
// addresses, else (for names without any) of the AAAA records.
func glueAddrs(extra []dns.RR) map[string][]string {
	v4, v6 := map[string][]string{}, map[string][]string{}
	for _, rr := range extra {
		switch a := rr.(type) {
		case *dns.A:
			v4[dns.CanonicalName(a.Hdr.Name)] = append(v4[dns.CanonicalName(a.Hdr.Name)], a.A.String())
		case *dns.AAAA:
			v6[dns.CanonicalName(a.Hdr.Name)] = append(v6[dns.CanonicalName(a.Hdr.Name)], a.AAAA.String())
		}
	}
	for host, addrs := range v6 {
		if _, ok := v4[host]; !ok {
			v4[host] = addrs
		}
	}
	return v4
}

// hostAddrs resolves a nameserver's IPv4 addresses, else its IPv6 ones,
// through the resolvers.
func (r *dnsResolver) hostAddrs(ctx context.Context, host string) []string {
	var out []string
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		m, err := r.askResolvers(ctx, host, qtype)
		if err != nil {
			continue
		}
		for _, rr := range m.Answer {
			switch v := rr.(type) {
			case *dns.A:
				out = append(out, v.A.String())
			case *dns.AAAA:
				out = append(out, v.AAAA.String())
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return out
}

func soaAt(rrs []dns.RR, name string) *dns.SOA {
	for _, rr := range rrs {
		if soa, ok := rr.(*dns.SOA); ok && strings.EqualFold(soa.Hdr.Name, name) {
			return soa
		}
	}
	return nil
}

func firstSOA(rrs []dns.RR) *dns.SOA {
	for _, rr := range rrs {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa
		}
	}
	return nil
}
