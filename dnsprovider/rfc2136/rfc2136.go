// Package rfc2136 presents DNS-01 TXT records with RFC 2136 dynamic
// updates signed with TSIG (RFC 8945), for BIND, Knot, PowerDNS and any
// server that accepts them. It is written on miekg/dns alone.
package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/validate"
)

var _ certs.DNSProvider = (*Provider)(nil)

// Provider adds and removes TXT records with dynamic updates. It is safe
// for concurrent use; each call is one exchange with the server (plus SOA
// queries to find the zone when Config.Zone is empty).
type Provider struct {
	cfg Config
	res *validate.Resolver // finds zones at the nameserver
}

// New checks cfg and returns a Provider. It does no I/O.
func New(cfg Config) (*Provider, error) {
	cfg, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	res, err := validate.NewResolver(validate.ResolverOptions{Resolvers: []string{cfg.Nameserver}, Timeout: cfg.Timeout})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return &Provider{cfg: cfg, res: res}, nil
}

// String describes the provider without its secret.
func (p *Provider) String() string { return "rfc2136.Provider{" + p.cfg.String() + "}" }

// GoString is String.
func (p *Provider) GoString() string { return p.String() }

// Format prints String for every verb.
func (p *Provider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// Present adds the TXT record rec.FQDN with rec.Value. Adding a record
// that is already there changes nothing.
func (p *Provider) Present(ctx context.Context, rec certs.DNSRecord) error {
	return p.update(ctx, "present", rec, func(m *dns.Msg, rr dns.RR) { m.Insert([]dns.RR{rr}) })
}

// CleanUp removes exactly the TXT record rec.FQDN with rec.Value; other
// values at the same name stay. Removing a record that is not there
// succeeds.
func (p *Provider) CleanUp(ctx context.Context, rec certs.DNSRecord) error {
	return p.update(ctx, "cleanup", rec, func(m *dns.Msg, rr dns.RR) { m.Remove([]dns.RR{rr}) })
}

// update builds and sends one UPDATE for rec's TXT record, to the zone's
// primary: Nameserver, or the primary of a child zone it delegates to.
func (p *Provider) update(ctx context.Context, op string, rec certs.DNSRecord, build func(*dns.Msg, dns.RR)) error {
	name := recordName(rec)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("dnsprovider: rfc2136: %s TXT %s: %w", op, name, err)
	}
	target := zoneTarget{zone: p.cfg.Zone, server: p.cfg.Nameserver}
	if target.zone == "" {
		t, err := p.findZone(ctx, name)
		if err != nil {
			return fmt.Errorf("dnsprovider: rfc2136: %s TXT %s: %w", op, name, err)
		}
		target = t
	}
	txt := &dns.TXT{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: p.cfg.TTL},
		Txt: []string{rec.Value}}
	m := new(dns.Msg)
	m.SetUpdate(target.zone)
	build(m, txt)
	err := p.send(ctx, target.server, m, &UpdateError{Op: op, Name: name, Zone: target.zone, Server: target.server, Rcode: -1})
	if err != nil && target.delegation != nil && ctxErr(ctx) == nil {
		target.delegation.Primary, target.delegation.Err = target.server, err
		return target.delegation
	}
	return err
}

// recordName is the record's FQDN, or _acme-challenge.<Domain>.
func recordName(rec certs.DNSRecord) string {
	if rec.FQDN != "" {
		return dns.CanonicalName(rec.FQDN)
	}
	return dns.CanonicalName("_acme-challenge." + strings.TrimPrefix(rec.Domain, "*."))
}

// send signs m, sends it to server and maps the answer to an *UpdateError.
func (p *Provider) send(ctx context.Context, server string, m *dns.Msg, uerr *UpdateError) error {
	c := p.client("udp")
	if p.cfg.TSIGKeyName != "" {
		m.SetTsig(p.cfg.TSIGKeyName, p.cfg.TSIGAlgorithm, 300, time.Now().Unix())
	}
	r, err := p.exchange(ctx, c, server, m)
	if err == nil && r.Truncated {
		r, err = p.exchange(ctx, p.client("tcp"), server, m)
	}
	if err := ctxErr(ctx); err != nil {
		uerr.Err = err
		return uerr
	}
	if r != nil {
		uerr.Rcode = r.Rcode
		if t := r.IsTsig(); t != nil {
			uerr.TSIGError = t.Error
		}
	}
	switch {
	case err != nil && r != nil && uerr.TSIGError == 0 && isTSIGErr(err):
		uerr.Err = ErrBadTSIG
	case r == nil:
		uerr.Err = fmt.Errorf("%w: %w", ErrUpdateFailed, err)
	case r.Rcode == dns.RcodeSuccess && err == nil:
		return nil
	default:
		uerr.classify()
	}
	return uerr
}

func isTSIGErr(err error) bool {
	return errors.Is(err, dns.ErrSig) || errors.Is(err, dns.ErrSecret) || errors.Is(err, dns.ErrTime) ||
		errors.Is(err, dns.ErrNoSig) || errors.Is(err, dns.ErrKeyAlg)
}

func (p *Provider) client(network string) *dns.Client {
	c := &dns.Client{Net: network, Timeout: p.cfg.Timeout}
	if p.cfg.TSIGKeyName != "" {
		c.TsigSecret = map[string]string{p.cfg.TSIGKeyName: p.cfg.TSIGSecret}
	}
	return c
}

// exchange sends m to server over a new connection that ctx can interrupt.
func (p *Provider) exchange(ctx context.Context, c *dns.Client, server string, m *dns.Msg) (*dns.Msg, error) {
	conn, err := c.DialContext(ctx, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	r, _, err := c.ExchangeWithConnContext(ctx, m, conn)
	if err != nil && ctxErr(ctx) != nil {
		return r, ctxErr(ctx)
	}
	return r, err
}

// ctxErr is ctx.Err(), or DeadlineExceeded once ctx's deadline has passed
// (miekg/dns reads up to the deadline, which can end before ctx notices).
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}
