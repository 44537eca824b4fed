package dnstest

import (
	"github.com/miekg/dns"
)

// maxChase bounds how many in-zone CNAMEs an answer follows, like the
// loop protection of real authoritative servers.
const maxChase = 16

// answer fills reply for q the way an authoritative server does: it
// synthesizes answers from wildcards (RFC 4592), follows CNAMEs through
// the served zones, sets NXDOMAIN or NODATA with
// the zone's SOA in the authority section, and adds glue for NS answers.
// A name at or below a delegation (NS records below a zone's apex) gets a
// referral: not authoritative, the NS records in the authority section
// and their glue. A name in no served zone is REFUSED. With servFailLoops
// a CNAME loop is answered SERVFAIL with the chain so far, as BIND does;
// otherwise NOERROR with the chain.
func (s *zoneStore) answer(q dns.Question, reply *dns.Msg, servFailLoops bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	name := canonical(q.Name)
	zone := s.zoneOf(name)
	if zone == "" {
		reply.Rcode = dns.RcodeRefused
		return
	}
	if s.refer(name, q.Qtype, reply) {
		return
	}
	reply.Authoritative = true
	seen := map[string]bool{name: true}
	for range maxChase {
		if matches := s.match(name, q.Qtype); len(matches) > 0 {
			reply.Answer = append(reply.Answer, matches...)
			if q.Qtype == dns.TypeNS {
				reply.Extra = append(reply.Extra, s.glue(matches)...)
			}
			return
		}
		cname := s.match(name, dns.TypeCNAME)
		if len(cname) == 0 || q.Qtype == dns.TypeCNAME {
			s.negative(name, reply)
			return
		}
		reply.Answer = append(reply.Answer, cname[0])
		target := canonical(cname[0].(*dns.CNAME).Target)
		if seen[target] && servFailLoops {
			reply.Rcode = dns.RcodeServerFailure
		}
		if seen[target] || s.zoneOf(target) == "" || s.cut(target) != "" {
			return
		}
		seen[target] = true
		name = target
	}
}

// negative sets NXDOMAIN or NODATA for name and adds its zone's SOA.
// The caller holds s.mu.
func (s *zoneStore) negative(name string, reply *dns.Msg) {
	zone := s.zoneOf(name)
	if zone == "" {
		return
	}
	if s.below[name] == 0 && s.wildcard(name) == "" {
		reply.Rcode = dns.RcodeNameError
	}
	reply.Ns = append(reply.Ns, s.recordsLocked(zone, dns.TypeSOA)...)
}

// glue returns the A and AAAA records of the nameservers in ns.
// The caller holds s.mu.
func (s *zoneStore) glue(ns []dns.RR) []dns.RR {
	var out []dns.RR
	for _, rr := range ns {
		host := canonical(rr.(*dns.NS).Ns)
		out = append(out, s.recordsLocked(host, dns.TypeA)...)
		out = append(out, s.recordsLocked(host, dns.TypeAAAA)...)
	}
	return out
}

// refer fills reply with a referral when name is at or below a zone cut
// of its zone, and reports whether it did. The caller holds s.mu.
func (s *zoneStore) refer(name string, qtype uint16, reply *dns.Msg) bool {
	cut := s.cut(name)
	if cut == "" || cut == name && qtype == dns.TypeDS {
		return false
	}
	ns := s.recordsLocked(cut, dns.TypeNS)
	reply.Ns = append(reply.Ns, ns...)
	reply.Extra = append(reply.Extra, s.glue(ns)...)
	return true
}

// cut returns the highest name between name (included) and its zone's
// apex (excluded) that has NS records, or "". The caller holds s.mu.
func (s *zoneStore) cut(name string) string {
	zone, found := s.zoneOf(name), ""
	for n := name; n != zone; {
		if len(s.recordsLocked(n, dns.TypeNS)) > 0 {
			found = n
		}
		off, end := dns.NextLabel(n, 0)
		if end {
			break
		}
		n = n[off:]
	}
	return found
}

// match returns the records of qtype at name, or, when name does not
// exist, those of the wildcard that covers it with name as their owner.
// The caller holds s.mu.
func (s *zoneStore) match(name string, qtype uint16) []dns.RR {
	if s.below[name] > 0 {
		return s.recordsLocked(name, qtype)
	}
	src := s.wildcard(name)
	if src == "" {
		return nil
	}
	rrs := s.recordsLocked(src, qtype)
	for _, rr := range rrs {
		rr.Header().Name = name
	}
	return rrs
}

// wildcard returns the wildcard ("*.<closest encloser>") that covers the
// name, which does not exist, or "". The caller holds s.mu.
func (s *zoneStore) wildcard(name string) string {
	zone := s.zoneOf(name)
	for n := name; n != zone; {
		off, _ := dns.NextLabel(n, 0)
		n = n[off:]
		if s.below[n] > 0 || n == zone {
			if w := "*." + n; s.below[w] > 0 {
				return w
			}
			return ""
		}
	}
	return ""
}
