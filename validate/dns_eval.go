package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// evalACMEChallenge reports the _acme-challenge CNAME and whether it
// points at the delegation target.
func (rep *DNSReport) evalACMEChallenge(req DNSRequirements, l *checkLookups) {
	name, target := dnsName(req.ACMEChallenge.Name), dnsName(req.ACMEChallenge.Target)
	if name == "" {
		return
	}
	res := l.acme
	if res.err != nil {
		if target != "" {
			rep.addLookupError(res.err, "")
		}
		return
	}
	var have string
	if len(res.rrs) > 0 {
		have = dnsName(res.rrs[0].(*dns.CNAME).Target)
	}
	rep.Records.ACMEChallengeCNAME = have
	rep.ACMEDNSConfigured = target != "" && have == target
	switch {
	case target == "" || rep.ACMEDNSConfigured:
	case have != "":
		rep.add(DNSValidationError{Code: DNSCodeWrongACMEChallenge,
			Message: fmt.Sprintf("change the CNAME record %s to point to %s; it points to %s", name, target, have),
			Record:  DNSRecordRef{Type: "CNAME", Name: name, Value: target}})
	case l.wildcard:
		rep.add(DNSValidationError{Code: DNSCodeMissingACMEChallenge,
			Message: fmt.Sprintf("add a CNAME record %s with value %s; wildcard certificates need the DNS-01 challenge", name, target),
			Record:  DNSRecordRef{Type: "CNAME", Name: name, Value: target}})
	}
}

// evalOwnership reports the ownership TXT values and whether one of them
// is accepted.
func (rep *DNSReport) evalOwnership(req DNSRequirements, res lookupResult) {
	name, values := dnsName(req.Ownership.Name), req.Ownership.Values
	if name == "" || len(values) == 0 {
		return
	}
	if res.err != nil {
		rep.addLookupError(res.err, "")
		return
	}
	for _, rr := range res.rrs {
		if v, err := ParseTXT(rr.(*dns.TXT).Txt); err == nil {
			rep.Records.OwnershipTXT = append(rep.Records.OwnershipTXT, v)
		}
	}
	slices.Sort(rep.Records.OwnershipTXT) // a set: servers order it as they like
	for _, v := range rep.Records.OwnershipTXT {
		if slices.Contains(values, strings.TrimSpace(v)) {
			rep.OwnershipTXTConfigured = true
			return
		}
	}
	want := DNSRecordRef{Type: "TXT", Name: name, Value: values[0]}
	if len(rep.Records.OwnershipTXT) == 0 {
		var cause error
		if res.nxdomain {
			cause = &LookupError{Name: name, Type: "TXT", Err: ErrNXDomain}
		}
		rep.add(DNSValidationError{Code: DNSCodeMissingOwnershipTXT,
			Message: fmt.Sprintf("add a TXT record %s with value %s", name, values[0]), Record: want, Err: cause})
		return
	}
	found := make([]string, len(rep.Records.OwnershipTXT))
	for i, v := range rep.Records.OwnershipTXT {
		found[i] = strconv.Quote(v)
	}
	rep.add(DNSValidationError{Code: DNSCodeWrongOwnershipTXT,
		Message: fmt.Sprintf("change the TXT record %s to the value %s; it has %s", name, values[0], strings.Join(found, ", ")),
		Record:  want})
}

// evalCAA reports the relevant CAA RRset and which CAs it permits.
func (rep *DNSReport) evalCAA(host string, l *checkLookups, identities []string) {
	if l.caa.err != nil {
		rep.addLookupError(l.caa.err, "")
		return
	}
	rep.Records.CAA = dnsNonNil(l.caa.rrs)
	for _, id := range identities {
		if CAAAllows(l.caa.rrs, id, l.wildcard) {
			rep.CAAPermitted = append(rep.CAAPermitted, dnsName(id))
		}
	}
	rep.CAAPermits = len(rep.CAAPermitted) > 0
	if rep.CAAPermits {
		return
	}
	if bad, ok := criticalUnknownCAA(l.caa.rrs); ok {
		rep.add(DNSValidationError{Code: DNSCodeCAACriticalUnknownTag,
			Message: fmt.Sprintf("the CAA record %s %s is critical with a tag that CAs do not know, which forbids all issuance; remove it or clear its critical flag", bad.Name, bad),
			Record:  DNSRecordRef{Type: "CAA", Name: bad.Name, Value: bad.String()}})
		return
	}
	tag, what := CAATagIssue, "certificates for "+host
	if l.wildcard && slices.ContainsFunc(l.caa.rrs, func(c CAARecord) bool { return strings.EqualFold(c.Tag, CAATagIssueWild) }) {
		tag, what = CAATagIssueWild, "wildcard certificates for "+host
	}
	id := dnsName(identities[0])
	want := CAARecord{Tag: tag, Value: id}
	rep.add(DNSValidationError{Code: DNSCodeCAAForbids,
		Message: fmt.Sprintf("the CAA records of %s do not allow %s to issue %s; add a CAA record %s with value %s", l.caa.node, id, what, l.caa.node, want),
		Record:  DNSRecordRef{Type: "CAA", Name: l.caa.node, Value: want.String()}})
}
