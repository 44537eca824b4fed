package acme

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// hasTXT checks value at fqdn on every Config.DNSResolvers, or on every
// authoritative name server of fqdn's zone (through the first of its
// addresses that answers). It returns nil when all serve it.
func (d *dnsChecker) hasTXT(ctx context.Context, fqdn, value string) error {
	var (
		groups  [][]string
		recurse = len(d.resolvers) > 0
	)
	if recurse {
		for _, r := range d.resolvers {
			groups = append(groups, []string{r})
		}
	} else {
		var err error
		if groups, err = d.authoritative(ctx, fqdn); err != nil {
			return err
		}
	}
	for _, addrs := range groups {
		r, err := d.ask(ctx, addrs, fqdn, dns.TypeTXT, recurse)
		if err != nil {
			return err
		}
		if !containsTXT(r, value) {
			return fmt.Errorf("%s does not serve the value at %s yet", strings.Join(addrs, "/"), fqdn)
		}
	}
	return nil
}

func containsTXT(r *dns.Msg, value string) bool {
	for _, rr := range r.Answer {
		if t, ok := rr.(*dns.TXT); ok && strings.Join(t.Txt, "") == value {
			return true
		}
	}
	return false
}

// authoritative returns, for each name server of the zone that holds fqdn,
// its addresses (host:port), found through the system resolvers.
func (d *dnsChecker) authoritative(ctx context.Context, fqdn string) ([][]string, error) {
	servers, err := d.recursive()
	if err != nil {
		return nil, err
	}
	zone, err := d.zone(ctx, servers, fqdn)
	if err != nil {
		return nil, err
	}
	r, err := d.ask(ctx, servers, zone, dns.TypeNS, true)
	if err != nil {
		return nil, fmt.Errorf("look up NS of %s: %w", zone, err)
	}
	var groups [][]string
	for _, rr := range r.Answer {
		ns, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		ips, err := d.addresses(ctx, servers, ns.Ns)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("name server %s of zone %s has no address", ns.Ns, zone)
		}
		addrs := make([]string, 0, len(ips))
		for _, ip := range ips {
			addrs = append(addrs, net.JoinHostPort(ip, d.nsPort))
		}
		groups = append(groups, addrs)
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("no NS records found for zone %s", zone)
	}
	return groups, nil
}

// zone returns the apex of the zone holding fqdn: the owner of the SOA
// record in the answer or, for a name without records, in the authority
// section.
func (d *dnsChecker) zone(ctx context.Context, servers []string, fqdn string) (string, error) {
	r, err := d.ask(ctx, servers, fqdn, dns.TypeSOA, true)
	if err != nil {
		return "", fmt.Errorf("look up SOA of %s: %w", fqdn, err)
	}
	for _, section := range [][]dns.RR{r.Answer, r.Ns} {
		for _, rr := range section {
			if soa, ok := rr.(*dns.SOA); ok {
				return soa.Hdr.Name, nil
			}
		}
	}
	return "", fmt.Errorf("no SOA record found for %s", fqdn)
}

// addresses resolves a name server's IPv4 and IPv6 addresses.
func (d *dnsChecker) addresses(ctx context.Context, servers []string, host string) ([]string, error) {
	var ips []string
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		r, err := d.ask(ctx, servers, host, qtype, true)
		if err != nil {
			return nil, fmt.Errorf("resolve name server %s: %w", host, err)
		}
		for _, rr := range r.Answer {
			switch a := rr.(type) {
			case *dns.A:
				ips = append(ips, a.A.String())
			case *dns.AAAA:
				ips = append(ips, a.AAAA.String())
			}
		}
	}
	return ips, nil
}
