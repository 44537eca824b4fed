package validate

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/miekg/dns"
)

// evalAddresses fills the address records and decides DNSConfigured,
// HTTPConfigured and ALPNConfigured, reporting the records to fix. A name
// whose CNAME chain passes through the platform's CNAME target to
// addresses the platform does not list reaches it through a proxy: HTTP
// gets there, TLS-ALPN-01 does not.
func (rep *DNSReport) evalAddresses(host string, req DNSRequirements, l *checkLookups, expectedOpt []string) {
	fix := "point the CNAME record " + host + " at a name that resolves"
	if req.CNAME != "" {
		fix = "change the CNAME record " + host + " to point to " + dnsName(req.CNAME)
	}
	failed := false
	for _, res := range []lookupResult{l.a, l.aaaa} {
		if res.err != nil {
			rep.addLookupError(res.err, fix)
			failed = true
		}
	}
	rep.Records.CNAME = dnsNonNil(slices.Clone(l.a.chain))
	if failed {
		return
	}
	rep.Records.A = addrStrings(l.a.rrs)
	rep.Records.AAAA = addrStrings(l.aaaa.rrs)
	rep.Records.ResolvedAddresses = append(slices.Clone(rep.Records.A), rep.Records.AAAA...)

	expected := expectedAddrs(req, expectedOpt)
	resolved := rep.Records.ResolvedAddresses
	viaTarget := req.CNAME != "" && slices.Contains(l.a.chain, dnsName(req.CNAME))
	ours := 0
	for _, a := range resolved {
		if slices.Contains(expected, a) {
			ours++
		}
	}
	direct := len(resolved) > 0 && ours == len(resolved)
	if len(expected) == 0 {
		direct = viaTarget && len(resolved) > 0
	}
	// Through the CNAME target to other addresses: the platform's proxy or
	// CDN, which passes HTTP on but ends TLS itself.
	proxied := viaTarget && len(resolved) > 0
	rep.DNSConfigured = direct || viaTarget
	rep.HTTPConfigured = (direct || proxied) && !l.wildcard
	rep.ALPNConfigured = direct && !l.wildcard
	if !rep.DNSConfigured {
		rep.addressFixes(host, req, l, expected, ours)
	}
}

// addressFixes reports the records to remove and to add for a hostname
// that does not point at the platform.
func (rep *DNSReport) addressFixes(host string, req DNSRequirements, l *checkLookups, expected []string, ours int) {
	target := dnsName(req.CNAME)
	if chain := l.a.chain; len(chain) > 0 {
		if target != "" {
			rep.add(DNSValidationError{Code: DNSCodeWrongCNAME,
				Message: fmt.Sprintf("change the CNAME record %s to point to %s; it points to %s", host, target, chain[0]),
				Record:  DNSRecordRef{Type: "CNAME", Name: host, Value: target}})
			return
		}
		rep.add(DNSValidationError{Code: DNSCodeUnexpectedCNAME,
			Message: fmt.Sprintf("remove the CNAME record %s, which points to %s instead of this platform", host, chain[0]),
			Record:  DNSRecordRef{Type: "CNAME", Name: host, Value: chain[0]}})
	} else {
		rep.unexpectedAddrs(host, l, expected)
	}
	rep.addMissing(host, req, l, ours)
}

// unexpectedAddrs reports the hostname's own A and AAAA records that do
// not point at the platform.
func (rep *DNSReport) unexpectedAddrs(host string, l *checkLookups, expected []string) {
	for _, rrs := range [][]dns.RR{l.a.rrs, l.aaaa.rrs} {
		for _, a := range addrStrings(rrs) {
			if slices.Contains(expected, a) {
				continue
			}
			typ := dns.TypeToString[rrs[0].Header().Rrtype]
			rep.add(DNSValidationError{Code: unexpectedCode(typ),
				Message: fmt.Sprintf("remove the %s record %s with value %s; it does not point to this platform", typ, host, a),
				Record:  DNSRecordRef{Type: typ, Name: host, Value: a}})
		}
	}
}

// addMissing reports the records to add: a CNAME to the target for a
// name below the zone apex that has none of the platform's addresses yet;
// else the A records when none is there, and the AAAA records when
// neither an A nor an AAAA record is there (IPv6 is optional).
func (rep *DNSReport) addMissing(host string, req DNSRequirements, l *checkLookups, ours int) {
	cause := nxCause(host, l.a)
	if target := dnsName(req.CNAME); target != "" && !l.isApex && ours == 0 {
		rep.add(DNSValidationError{Code: DNSCodeMissingCNAME,
			Message: fmt.Sprintf("add a CNAME record %s with value %s", host, target),
			Record:  DNSRecordRef{Type: "CNAME", Name: host, Value: target}, Err: cause})
		return
	}
	have := rep.Records.ResolvedAddresses
	haveA := slices.ContainsFunc(req.A, func(a string) bool { return slices.Contains(have, canonicalAddr(a)) })
	haveAAAA := slices.ContainsFunc(req.AAAA, func(a string) bool { return slices.Contains(have, canonicalAddr(a)) })
	if !haveA {
		rep.addRecords(host, "A", DNSCodeMissingA, req.A, cause)
	}
	if !haveA && !haveAAAA {
		rep.addRecords(host, "AAAA", DNSCodeMissingAAAA, req.AAAA, cause)
	}
}

// addRecords reports each of addrs as a record of type typ to add.
func (rep *DNSReport) addRecords(host, typ, code string, addrs []string, cause error) {
	for _, a := range addrs {
		a = canonicalAddr(a)
		rep.add(DNSValidationError{Code: code,
			Message: fmt.Sprintf("add an %s record %s with value %s", typ, host, a),
			Record:  DNSRecordRef{Type: typ, Name: host, Value: a}, Err: cause})
	}
}

// nxCause is a *LookupError wrapping ErrNXDomain when the lookup found
// that the name does not exist, else nil.
func nxCause(name string, res lookupResult) error {
	if !res.nxdomain {
		return nil
	}
	return &LookupError{Name: dnsName(name), Type: "A", Err: ErrNXDomain}
}

func unexpectedCode(typ string) string {
	if typ == "AAAA" {
		return DNSCodeUnexpectedAAAA
	}
	return DNSCodeUnexpectedA
}

// expectedAddrs are the addresses that reach the platform, canonicalized.
func expectedAddrs(req DNSRequirements, opt []string) []string {
	src := opt
	if len(src) == 0 {
		src = append(slices.Clone(req.A), req.AAAA...)
	}
	out := make([]string, 0, len(src))
	for _, a := range src {
		out = append(out, canonicalAddr(a))
	}
	return out
}

// canonicalAddr formats an IP address canonically (unchanged if invalid).
func canonicalAddr(s string) string {
	if ip, err := netip.ParseAddr(s); err == nil {
		return ip.Unmap().String()
	}
	return s
}

// addrStrings returns the addresses of A and AAAA records, sorted: DNS
// does not order the records of a set, and servers (BIND) shuffle them.
func addrStrings(rrs []dns.RR) []string {
	var addrs []netip.Addr
	for _, rr := range rrs {
		switch v := rr.(type) {
		case *dns.A:
			addrs = append(addrs, netip.MustParseAddr(v.A.String()).Unmap())
		case *dns.AAAA:
			addrs = append(addrs, netip.MustParseAddr(v.AAAA.String()).Unmap())
		}
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}
