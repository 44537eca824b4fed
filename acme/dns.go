package acme

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

const (
	// maxCNAMEHops bounds the _acme-challenge CNAME chain.
	maxCNAMEHops = 8
	// dnsQueryTimeout bounds one DNS exchange.
	dnsQueryTimeout = 5 * time.Second
	// resolvConf is where the system's resolvers are read from.
	resolvConf = "/etc/resolv.conf"
)

// dnsChecker follows _acme-challenge CNAMEs and checks TXT propagation with
// its own miekg/dns queries: it reads no package-global resolver setting.
type dnsChecker struct {
	// resolvers are Config.DNSResolvers; when empty, system resolvers
	// follow CNAMEs and the zone's authoritative servers are checked.
	resolvers []string
	// system are the system's recursive resolvers (host:port).
	system []string
	// nsPort is the port of authoritative servers ("53"; tests change it).
	nsPort string
}

func newDNSChecker(resolvers []string) *dnsChecker {
	d := &dnsChecker{resolvers: resolvers, nsPort: "53"}
	if len(resolvers) == 0 {
		if conf, err := dns.ClientConfigFromFile(resolvConf); err == nil {
			for _, s := range conf.Servers {
				d.system = append(d.system, net.JoinHostPort(s, conf.Port))
			}
		}
	}
	return d
}

// recursive returns the resolvers that answer recursive queries.
func (d *dnsChecker) recursive() ([]string, error) {
	if len(d.resolvers) > 0 {
		return d.resolvers, nil
	}
	if len(d.system) == 0 {
		return nil, fmt.Errorf("no DNS resolver: none in %s; set Config.DNSResolvers", resolvConf)
	}
	return d.system, nil
}

// challengeFQDN returns the name where the TXT record for domain goes:
// _acme-challenge.<domain>. or the end of its CNAME chain.
func (d *dnsChecker) challengeFQDN(ctx context.Context, domain string) (string, error) {
	fqdn := dns.Fqdn("_acme-challenge." + domain)
	seen := map[string]bool{fqdn: true}
	for range maxCNAMEHops {
		target, err := d.cname(ctx, fqdn)
		if err != nil || target == "" {
			return fqdn, err
		}
		if seen[target] {
			return "", fmt.Errorf("CNAME loop at %s; fix the _acme-challenge CNAME records", target)
		}
		seen[target] = true
		fqdn = target
	}
	return "", fmt.Errorf("more than %d CNAMEs from _acme-challenge.%s; shorten the chain", maxCNAMEHops, domain)
}

// cname returns the CNAME target of name, or "" when it has none.
func (d *dnsChecker) cname(ctx context.Context, name string) (string, error) {
	servers, err := d.recursive()
	if err != nil {
		return "", err
	}
	r, err := d.ask(ctx, servers, name, dns.TypeCNAME, true)
	if err != nil {
		return "", fmt.Errorf("look up CNAME of %s: %w", name, err)
	}
	for _, rr := range r.Answer {
		if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
			return strings.ToLower(dns.Fqdn(c.Target)), nil
		}
	}
	return "", nil
}

// ask sends a query to the first of servers that answers.
func (d *dnsChecker) ask(ctx context.Context, servers []string, name string, qtype uint16, recurse bool) (*dns.Msg, error) {
	var errs []error
	for _, s := range servers {
		r, err := exchange(ctx, s, name, qtype, recurse)
		if err == nil {
			return r, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// exchange sends one query over UDP, retrying over TCP when truncated.
func exchange(ctx context.Context, server, name string, qtype uint16, recurse bool) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = recurse
	m.SetEdns0(4096, false)
	c := &dns.Client{Net: "udp", Timeout: dnsQueryTimeout}
	r, _, err := c.ExchangeContext(ctx, m, server)
	if err == nil && r.Truncated {
		c.Net = "tcp"
		r, _, err = c.ExchangeContext(ctx, m, server)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", server, err)
	}
	if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
		return nil, fmt.Errorf("%s answered %s for %s", server, dns.RcodeToString[r.Rcode], name)
	}
	return r, nil
}
