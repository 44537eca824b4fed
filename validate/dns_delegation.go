package validate

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// ErrDelegated is wrapped by every *DelegationError.
var ErrDelegated = errors.New("validate: the name is in a child zone delegated to other nameservers")

// DelegationError reports that the server asked by ZoneAt does not hold
// the name's zone but delegates it: it answered with a referral (NS
// records of a child zone in the authority section, not authoritative).
// Records written at that server for the name would be hidden below the
// delegation and never seen.
type DelegationError struct {
	// Name is the name asked about, Server the server that referred.
	Name, Server string
	// Zone is the child zone's apex and NS its nameservers (sorted).
	Zone string
	NS   []string
	// Servers are the nameservers' addresses from the referral's glue, at
	// Server's port ("host:port"); Addrs maps each NS name to its own.
	Servers []string
	Addrs   map[string][]string
}

// Error implements the error interface.
func (e *DelegationError) Error() string {
	servers := strings.Join(e.NS, ", ")
	if len(e.Servers) > 0 {
		servers += " (" + strings.Join(e.Servers, ", ") + ")"
	}
	return "validate: " + e.Name + " is in zone " + e.Zone + ", which " + e.Server + " delegates to " + servers +
		"; ask or update the child zone's own nameservers"
}

// Unwrap returns ErrDelegated.
func (e *DelegationError) Unwrap() error { return ErrDelegated }

// ZoneAt finds the zone that holds name by asking server alone (the
// zone's primary, typically), without recursion, for SOA records from
// name upwards; the Zone's Servers are server. It stops at a referral
// and returns a *DelegationError naming the child zone and its servers.
// Other errors are *LookupError (ErrZoneNotFound when no SOA encloses
// the name at server) or ctx's.
func (r *Resolver) ZoneAt(ctx context.Context, server, name string) (*Zone, error) {
	s, fq := r.session(), dns.CanonicalName(name)
	for cand := fq; ; {
		m, err := s.ask(ctx, []string{server}, cand, dns.TypeSOA, false)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		switch {
		case err != nil:
			refused := errors.Is(err, ErrDNSRefused)
			if !refused && !(errors.Is(err, ErrServFail) && s.isAliasAt(ctx, server, cand)) {
				return nil, err
			}
		case soaAt(m.Answer, cand) != nil:
			return &Zone{Apex: dnsName(cand), Primary: dnsName(soaAt(m.Answer, cand).Ns), Servers: []string{server}}, nil
		case referralCut(m) != "" && referralCut(m) != "." && dns.IsSubDomain(referralCut(m), cand):
			return nil, delegation(fq, server, m)
		case m.Authoritative && cnameTarget(m.Answer, cand) == "":
			if soa := firstSOA(m.Ns); soa != nil && dns.IsSubDomain(soa.Hdr.Name, cand) {
				return &Zone{Apex: dnsName(soa.Hdr.Name), Primary: dnsName(soa.Ns), Servers: []string{server}}, nil
			}
		}
		off, end := dns.NextLabel(cand, 0)
		if end {
			return nil, &LookupError{Name: dnsName(name), Type: "SOA", Server: server, Err: ErrZoneNotFound}
		}
		cand = cand[off:]
	}
}

// isAliasAt reports whether server holds a CNAME record at name.
func (r *dnsResolver) isAliasAt(ctx context.Context, server, name string) bool {
	m, err := r.ask(ctx, []string{server}, name, dns.TypeCNAME, false)
	return err == nil && cnameTarget(m.Answer, name) != ""
}

// delegation builds the *DelegationError of the referral m from server.
func delegation(name, server string, m *dns.Msg) *DelegationError {
	cut := referralCut(m)
	_, port, _ := net.SplitHostPort(server)
	e := &DelegationError{Name: dnsName(name), Server: server, Zone: dnsName(cut), Addrs: map[string][]string{}}
	glue := glueAddrs(m.Extra)
	for _, rr := range m.Ns {
		ns, ok := rr.(*dns.NS)
		if !ok || dns.CanonicalName(ns.Hdr.Name) != cut {
			continue
		}
		host := dns.CanonicalName(ns.Ns)
		e.NS = append(e.NS, dnsName(host))
		for _, ip := range glue[host] {
			addr := net.JoinHostPort(ip, port)
			e.Addrs[dnsName(host)] = append(e.Addrs[dnsName(host)], addr)
			if !slices.Contains(e.Servers, addr) {
				e.Servers = append(e.Servers, addr)
			}
		}
	}
	slices.Sort(e.NS)
	return e
}
