package dnstest

import (
	"github.com/miekg/dns"
)

// maxChase bounds how many in-zone CNAMEs an answer follows, like the
// loop protection of real authoritative servers.
const maxChase = 16

// answer fills reply for q the way an authoritative server does: it
// follows CNAMEs through the served zones, sets NXDOMAIN or NODATA with
// the zone's SOA in the authority section, and adds glue for NS answers.
// A name in no served zone is REFUSED.
func (s *zoneStore) answer(q dns.Question, reply *dns.Msg) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	name := canonical(q.Name)
	zone := s.zoneOf(name)
	if zone == "" {
		reply.Rcode = dns.RcodeRefused
		return
	}
	reply.Authoritative = true
	seen := map[string]bool{name: true}
	for range maxChase {
		if matches := s.recordsLocked(name, q.Qtype); len(matches) > 0 {
			reply.Answer = append(reply.Answer, matches...)
			if q.Qtype == dns.TypeNS {
				reply.Extra = append(reply.Extra, s.glue(matches)...)
			}
			return
		}
		cname := s.recordsLocked(name, dns.TypeCNAME)
		if len(cname) == 0 || q.Qtype == dns.TypeCNAME {
			s.negative(name, reply)
			return
		}
		reply.Answer = append(reply.Answer, cname[0])
		target := canonical(cname[0].(*dns.CNAME).Target)
		if seen[target] || s.zoneOf(target) == "" {
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
	if s.below[name] == 0 {
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
