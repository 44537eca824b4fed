package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/miekg/dns"

	"github.com/certs-dev/certs/validate"
)

// maxDelegations bounds the child zones followed from Nameserver.
const maxDelegations = 4

// zoneTarget is where a record's update goes.
type zoneTarget struct {
	zone   string // apex, FQDN
	server string // host:port of the zone's primary
	// delegation is set when Nameserver delegates the zone to server; an
	// update that fails there is reported as it.
	delegation *DelegationError
}

// findZone asks Nameserver (without recursion) for SOA records from name
// upwards, with validate's resolver. A referral to a child zone is
// followed to the child zone's primary: its SOA MNAME, at the address
// that the referral's glue or the child's servers give for it, at
// Nameserver's port. Updates sent to Nameserver for such a record would
// land in the parent zone below the delegation, where nobody sees them.
func (p *Provider) findZone(ctx context.Context, name string) (zoneTarget, error) {
	server := p.cfg.Nameserver
	var deleg *DelegationError
	for range maxDelegations {
		z, err := p.res.ZoneAt(ctx, server, name)
		if err == nil {
			return zoneTarget{zone: dns.Fqdn(z.Apex), server: p.primaryAddr(ctx, server, z.Primary, deleg), delegation: deleg}, nil
		}
		if err := ctxErr(ctx); err != nil {
			return zoneTarget{}, err
		}
		var d *validate.DelegationError
		if !errors.As(err, &d) {
			if deleg != nil {
				deleg.Err = err
				return zoneTarget{}, deleg
			}
			return zoneTarget{}, fmt.Errorf("%w (%w)", ErrZoneNotFound, err)
		}
		deleg = &DelegationError{Name: name, Zone: d.Zone, NS: d.NS, Servers: d.Servers, addrs: d.Addrs}
		if len(d.Servers) == 0 {
			deleg.Err = errors.New("the referral gives no address for them (no glue)")
			return zoneTarget{}, deleg
		}
		server = d.Servers[0]
	}
	deleg.Err = fmt.Errorf("more than %d delegations below %s", maxDelegations, p.cfg.Nameserver)
	return zoneTarget{}, deleg
}

// primaryAddr returns the address of the zone's primary server named
// primary, found at server (which answered for the zone): server itself
// when it is Nameserver or primary is unknown, else the referral's glue,
// else server's A records for it, else server.
func (p *Provider) primaryAddr(ctx context.Context, server, primary string, deleg *DelegationError) string {
	if deleg == nil || primary == "" {
		return server
	}
	if addrs := deleg.addrs[primary]; len(addrs) > 0 {
		return addrs[0]
	}
	_, port, _ := net.SplitHostPort(server)
	m, err := p.res.Query(ctx, server, primary, dns.TypeA, false)
	if err == nil {
		for _, rr := range m.Answer {
			if a, ok := rr.(*dns.A); ok {
				return net.JoinHostPort(a.A.String(), port)
			}
		}
	}
	return server
}
