package validate

import (
	"context"
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
	apex, primary, err := r.findApex(ctx, name)
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
		e.zone, e.err = r.loadZone(ctx, apex, primary)
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
// did not go through a CNAME, names the zone.
func (r *dnsResolver) findApex(ctx context.Context, name string) (apex, primary string, err error) {
	for cand := name; ; {
		m, err := r.askResolvers(ctx, cand, dns.TypeSOA)
		if err != nil {
			return "", "", err
		}
		if soa := soaAt(m.Answer, cand); soa != nil {
			return cand, dnsName(soa.Ns), nil
		}
		if cnameTarget(m.Answer, cand) == "" {
			if soa := firstSOA(m.Ns); soa != nil && dns.IsSubDomain(soa.Hdr.Name, cand) {
				return dns.CanonicalName(soa.Hdr.Name), dnsName(soa.Ns), nil
			}
		}
		off, end := dns.NextLabel(cand, 0)
		if end {
			return "", "", &LookupError{Name: dnsName(name), Type: "SOA", Err: ErrZoneNotFound}
		}
		cand = cand[off:]
	}
}

// loadZone asks the resolvers for the zone's NS records and their
// addresses (glue first). A zone whose servers cannot be found is still
// returned; queries for it then go to the resolvers.
func (r *dnsResolver) loadZone(ctx context.Context, apex, primary string) (*dnsZone, error) {
	z := &dnsZone{apex: apex, primary: primary}
	m, err := r.askResolvers(ctx, apex, dns.TypeNS)
	if err != nil {
		return z, nil
	}
	glue := map[string][]string{}
	for _, rr := range m.Extra {
		if a, ok := rr.(*dns.A); ok {
			glue[dns.CanonicalName(a.Hdr.Name)] = append(glue[dns.CanonicalName(a.Hdr.Name)], a.A.String())
		}
	}
	for _, rr := range m.Answer {
		ns, ok := rr.(*dns.NS)
		if !ok || !strings.EqualFold(ns.Hdr.Name, apex) {
			continue
		}
		z.ns = append(z.ns, dnsName(ns.Ns))
		addrs, ok := glue[dns.CanonicalName(ns.Ns)]
		if !ok {
			addrs = r.hostAddrs(ctx, dns.CanonicalName(ns.Ns))
		}
		for _, ip := range addrs {
			if s := net.JoinHostPort(ip, r.opts.NameserverPort); !slices.Contains(z.servers, s) && len(z.servers) < maxNameservers {
				z.servers = append(z.servers, s)
			}
		}
	}
	slices.Sort(z.ns)
	return z, nil
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
