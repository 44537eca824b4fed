package validate

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Check looks up hostname's DNS afresh and reports how it meets req.
//
// It finds the hostname's zone (walking up with SOA queries to
// opts.Resolvers), asks the zone's authoritative nameservers directly
// (falling back to the resolvers), follows CNAME chains up to
// opts.MaxCNAMEChain, and checks the addresses, the _acme-challenge
// delegation, the ownership TXT record, the dns-persist-01 record and CAA
// (RFC 8659). Queries go over
// UDP, then TCP when truncated, with opts.Retries retries on timeouts.
//
// Misconfiguration and failed lookups (SERVFAIL, timeouts, ...) are
// reported in DNSReport.ValidationErrors. The error is non-nil only when
// nothing could be checked: no resolvers, an invalid hostname, or ctx done.
func Check(ctx context.Context, hostname string, req DNSRequirements, opts CheckOptions) (*DNSReport, error) {
	if len(opts.Resolvers) == 0 {
		return nil, ErrNoResolvers
	}
	return newDNSResolver(opts).check(ctx, hostname, req)
}

// checkLookups are the raw results of one check's lookups.
type checkLookups struct {
	zone             *dnsZone
	zoneErr          error
	a, aaaa          lookupResult
	acme, ownership  lookupResult
	persist          lookupResult
	caa              caaResult
	wildcard, isApex bool
}

func (r *dnsResolver) check(ctx context.Context, hostname string, req DNSRequirements) (*DNSReport, error) {
	host := dnsName(hostname)
	if _, ok := dns.IsDomainName(host); !ok || host == "" {
		return nil, fmt.Errorf("validate: check %q: not a valid hostname", hostname)
	}
	l := r.lookupAll(ctx, host, req)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("validate: check %s: %w", host, err)
	}
	rep := &DNSReport{
		Hostname:         host,
		CAAPermitted:     []string{},
		ValidationErrors: []DNSValidationError{},
		Records: DNSRecords{A: []string{}, AAAA: []string{}, CNAME: []string{}, ResolvedAddresses: []string{},
			NS: []string{}, OwnershipTXT: []string{}, CAA: []CAARecord{}},
	}
	rep.evalZone(host, l)
	rep.evalAddresses(host, req, l, r.opts.ExpectedAddresses)
	rep.evalACMEChallenge(req, l)
	rep.evalOwnership(req, l.ownership)
	rep.evalPersist(req, l.persist, time.Now())
	rep.evalCAA(host, l, r.opts.CAIdentities)
	rep.CheckedAt = time.Now()
	return rep, nil
}

// lookupAll finds the zone, then runs the lookups concurrently.
func (r *dnsResolver) lookupAll(ctx context.Context, host string, req DNSRequirements) *checkLookups {
	fq := dns.Fqdn(host)
	l := &checkLookups{wildcard: strings.HasPrefix(host, "*.")}
	l.zone, l.zoneErr = r.zoneFor(ctx, fq)
	l.isApex = l.zone != nil && l.zone.apex == fq
	var wg sync.WaitGroup
	wg.Go(func() { l.a = r.follow(ctx, fq, dns.TypeA) })
	wg.Go(func() { l.aaaa = r.follow(ctx, fq, dns.TypeAAAA) })
	if req.ACMEChallenge.Name != "" {
		wg.Go(func() { l.acme = r.follow(ctx, dns.Fqdn(dnsName(req.ACMEChallenge.Name)), dns.TypeCNAME) })
	}
	if req.Ownership.Name != "" && len(req.Ownership.Values) > 0 {
		wg.Go(func() { l.ownership = r.follow(ctx, dns.Fqdn(dnsName(req.Ownership.Name)), dns.TypeTXT) })
	}
	if req.Persist.Name != "" {
		wg.Go(func() { l.persist = r.follow(ctx, dns.Fqdn(dnsName(req.Persist.Name)), dns.TypeTXT) })
	}
	wg.Go(func() { l.caa = r.climbCAA(ctx, strings.TrimPrefix(host, "*.")) })
	wg.Wait()
	return l
}

// caaResult is the relevant CAA RRset and where it was found.
type caaResult struct {
	node string
	rrs  []CAARecord
	err  error
}

// climbCAA looks for CAA records at name, then its parents, stopping at
// the first node that has some (RFC 8659 section 3). Top-level domains
// are not asked.
func (r *dnsResolver) climbCAA(ctx context.Context, name string) caaResult {
	for n := dns.Fqdn(name); dns.CountLabel(n) >= 2; {
		res := r.follow(ctx, n, dns.TypeCAA)
		if res.err != nil {
			return caaResult{node: dnsName(n), err: res.err}
		}
		if len(res.rrs) > 0 {
			out := caaResult{node: dnsName(n)}
			for _, rr := range res.rrs {
				c := rr.(*dns.CAA)
				out.rrs = append(out.rrs, CAARecord{Name: dnsName(n), Flag: c.Flag, Tag: c.Tag, Value: c.Value})
			}
			slices.SortFunc(out.rrs, compareCAA) // a set: servers order it as they like
			return out
		}
		off, _ := dns.NextLabel(n, 0)
		n = n[off:]
	}
	return caaResult{}
}

// compareCAA orders CAA records by tag, value and flag.
func compareCAA(a, b CAARecord) int {
	return cmp.Or(strings.Compare(a.Tag, b.Tag), strings.Compare(a.Value, b.Value), cmp.Compare(a.Flag, b.Flag))
}

// add appends e unless it is already reported: the same code and
// message, or the same broken CNAME chain (which the address and CAA
// lookups both meet).
func (rep *DNSReport) add(e DNSValidationError) {
	chainErr := e.Code == DNSCodeCNAMELoop || e.Code == DNSCodeCNAMEChainTooLong
	for _, have := range rep.ValidationErrors {
		if have.Code == e.Code && (have.Message == e.Message || chainErr && have.Record.Name == e.Record.Name) {
			return
		}
	}
	rep.ValidationErrors = append(rep.ValidationErrors, e)
}

// addLookupError reports a failed lookup; CNAME loops and over-long chains
// get codes of their own.
func (rep *DNSReport) addLookupError(err error, fix string) {
	le, ok := err.(*LookupError)
	if !ok {
		rep.add(DNSValidationError{Code: DNSCodeLookupFailed, Message: strings.TrimPrefix(err.Error(), "validate: "), Err: err})
		return
	}
	if fix == "" {
		fix = "point one of its CNAME records at a name that resolves"
	}
	e := DNSValidationError{Code: DNSCodeLookupFailed, Record: DNSRecordRef{Type: le.Type, Name: le.Name}, Err: le}
	e.Message = strings.TrimPrefix(le.Error(), "validate: ")
	switch le.Err {
	case ErrCNAMELoop:
		e.Code, e.Record.Type = DNSCodeCNAMELoop, "CNAME"
		e.Message = fmt.Sprintf("the CNAME chain of %s loops (%s); %s", le.Name, le.Detail, fix)
	case ErrCNAMEChainTooLong:
		e.Code, e.Record.Type = DNSCodeCNAMEChainTooLong, "CNAME"
		e.Message = fmt.Sprintf("the CNAME chain of %s is too long (%s); %s", le.Name, le.Detail, fix)
	}
	rep.add(e)
}

// evalZone reports the zone, its SOA and nameservers and the provider.
func (rep *DNSReport) evalZone(host string, l *checkLookups) {
	if l.zoneErr != nil {
		rep.addLookupError(l.zoneErr, "")
		return
	}
	rep.Records.Zone = dnsName(l.zone.apex)
	rep.Records.SOA = l.zone.primary
	rep.Records.NS = dnsNonNil(append([]string(nil), l.zone.ns...))
	rep.DNSProvider = GuessDNSProvider(l.zone.ns)
}
