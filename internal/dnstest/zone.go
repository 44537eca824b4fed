package dnstest

import (
	"fmt"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Zone is an authoritative zone to serve.
//
// Records are zone-file lines ("www 300 IN A 192.0.2.1", "@ CAA 0 issue
// \"letsencrypt.org\"") with Name as the origin, so relative owner names
// and "@" work. A zone without an SOA gets one whose primary nameserver is
// "ns1.<zone>."; a zone without NS records gets "ns1.<zone>." with an A
// record of 127.0.0.1, so that a checker told to use this server's port
// finds the zone's nameservers here.
type Zone struct {
	Name    string
	Records []string
}

// zoneStore holds every served zone's records. It is safe for concurrent use.
type zoneStore struct {
	mu    sync.RWMutex
	zones map[string]bool     // apex names, lowercase FQDN
	rrs   map[string][]dns.RR // owner name (lowercase FQDN) -> records
	below map[string]int      // name -> number of records at or below it
}

func newZoneStore() *zoneStore {
	return &zoneStore{zones: map[string]bool{}, rrs: map[string][]dns.RR{}, below: map[string]int{}}
}

// canonical lowercases name and makes it fully qualified.
func canonical(name string) string {
	return dns.CanonicalName(name)
}

// parseRecords parses zone-file lines relative to origin.
func parseRecords(origin string, lines ...string) ([]dns.RR, error) {
	zp := dns.NewZoneParser(strings.NewReader(strings.Join(lines, "\n")), origin, "")
	zp.SetDefaultTTL(300)
	var out []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("dnstest: parse records: %w", err)
	}
	return out, nil
}

// addZone registers z and its records, adding a default SOA and NS.
func (s *zoneStore) addZone(z Zone) error {
	apex := canonical(z.Name)
	rrs, err := parseRecords(apex, z.Records...)
	if err != nil {
		return err
	}
	var hasSOA, hasNS bool
	for _, rr := range rrs {
		if canonical(rr.Header().Name) == apex {
			hasSOA = hasSOA || rr.Header().Rrtype == dns.TypeSOA
			hasNS = hasNS || rr.Header().Rrtype == dns.TypeNS
		}
	}
	var defaults []string
	if !hasSOA {
		defaults = append(defaults, "@ 300 IN SOA ns1 hostmaster 1 3600 600 86400 60")
	}
	if !hasNS {
		defaults = append(defaults, "@ 300 IN NS ns1", "ns1 300 IN A 127.0.0.1")
	}
	extra, err := parseRecords(apex, defaults...)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.zones[apex] = true
	s.mu.Unlock()
	return s.add(append(extra, rrs...)...)
}

// zoneOf returns the apex of the closest served zone enclosing name, or "".
// The caller holds s.mu.
func (s *zoneStore) zoneOf(name string) string {
	for n := name; ; {
		if s.zones[n] {
			return n
		}
		if n == "." {
			return ""
		}
		off, end := dns.NextLabel(n, 0)
		if end {
			return ""
		}
		n = n[off:]
	}
}

// add stores rrs; each must be inside a served zone. Duplicates are ignored.
func (s *zoneStore) add(rrs ...dns.RR) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rr := range rrs {
		name := canonical(rr.Header().Name)
		if s.zoneOf(name) == "" {
			return fmt.Errorf("dnstest: %s is in no served zone; add its zone first", name)
		}
		if s.indexOf(name, rr) >= 0 {
			continue
		}
		rr = dns.Copy(rr)
		rr.Header().Name = name
		s.rrs[name] = append(s.rrs[name], rr)
		s.count(name, 1)
	}
	return nil
}

// indexOf returns the index of a record equal to rr (ignoring TTL and
// class) at name, or -1. The caller holds s.mu.
func (s *zoneStore) indexOf(name string, rr dns.RR) int {
	probe := dns.Copy(rr)
	probe.Header().Name = name
	probe.Header().Class = dns.ClassINET
	for i, have := range s.rrs[name] {
		if dns.IsDuplicate(have, probe) {
			return i
		}
	}
	return -1
}

// count adjusts the number of records at or below name and its ancestors.
// The caller holds s.mu.
func (s *zoneStore) count(name string, delta int) {
	for n := name; ; {
		s.below[n] += delta
		if s.below[n] <= 0 {
			delete(s.below, n)
		}
		off, end := dns.NextLabel(n, 0)
		if end || n == "." {
			return
		}
		n = n[off:]
	}
}

// removeRR deletes records equal to each of rrs (ignoring TTL and class).
func (s *zoneStore) removeRR(rrs ...dns.RR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, rr := range rrs {
		name := canonical(rr.Header().Name)
		if i := s.indexOf(name, rr); i >= 0 {
			s.deleteAt(name, i)
		}
	}
}

// removeType deletes every record of type qtype at name; dns.TypeANY
// deletes all of them.
func (s *zoneStore) removeType(name string, qtype uint16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = canonical(name)
	for i := len(s.rrs[name]) - 1; i >= 0; i-- {
		if qtype == dns.TypeANY || s.rrs[name][i].Header().Rrtype == qtype {
			s.deleteAt(name, i)
		}
	}
}

// deleteAt removes the i-th record at name. The caller holds s.mu.
func (s *zoneStore) deleteAt(name string, i int) {
	list := s.rrs[name]
	list = append(list[:i:i], list[i+1:]...)
	if len(list) == 0 {
		delete(s.rrs, name)
	} else {
		s.rrs[name] = list
	}
	s.count(name, -1)
}

// records returns copies of the records of type qtype at name (all types
// for dns.TypeANY).
func (s *zoneStore) records(name string, qtype uint16) []dns.RR {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.recordsLocked(canonical(name), qtype)
}

func (s *zoneStore) recordsLocked(name string, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range s.rrs[name] {
		if qtype == dns.TypeANY || rr.Header().Rrtype == qtype {
			out = append(out, dns.Copy(rr))
		}
	}
	return out
}
