package bindtest

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// zoneFiles renders each zone as a zone file ("<apex>.db"): its records,
// the default SOA and NS when it has none, and the Options.Records that
// fall into it.
func zoneFiles(opts Options, zones []Zone) (map[string]string, error) {
	byApex := map[string][]dns.RR{}
	for _, z := range zones {
		apex := dns.CanonicalName(z.Name)
		rrs, err := parse(apex, z.Records...)
		if err != nil {
			return nil, err
		}
		defaults, err := parse(apex, defaultRecords(apex, opts.IP, rrs)...)
		if err != nil {
			return nil, err
		}
		byApex[apex] = append(defaults, rrs...)
	}
	extra, err := parse(".", opts.Records...)
	if err != nil {
		return nil, err
	}
	for _, rr := range extra {
		apex := closest(byApex, dns.CanonicalName(rr.Header().Name))
		if apex == "" {
			return nil, fmt.Errorf("bindtest: %s is in no served zone; add its zone", rr.Header().Name)
		}
		byApex[apex] = append(byApex[apex], rr)
	}
	files := map[string]string{}
	for apex, rrs := range byApex {
		var b strings.Builder
		b.WriteString("$TTL 300\n")
		for _, rr := range rrs {
			b.WriteString(rr.String() + "\n")
		}
		files[strings.TrimSuffix(apex, ".")+".db"] = b.String()
	}
	return files, nil
}

// defaultRecords are the SOA and NS records a zone lacks.
func defaultRecords(apex, ip string, rrs []dns.RR) []string {
	var hasSOA, hasNS bool
	for _, rr := range rrs {
		if dns.CanonicalName(rr.Header().Name) == apex {
			hasSOA = hasSOA || rr.Header().Rrtype == dns.TypeSOA
			hasNS = hasNS || rr.Header().Rrtype == dns.TypeNS
		}
	}
	var out []string
	if !hasSOA {
		out = append(out, "@ 300 IN SOA ns1 hostmaster 1 3600 600 86400 60")
	}
	if !hasNS {
		out = append(out, "@ 300 IN NS ns1", "ns1 300 IN A "+ip)
	}
	return out
}

// parse parses zone-file lines relative to origin, with a TTL of 300.
func parse(origin string, lines ...string) ([]dns.RR, error) {
	zp := dns.NewZoneParser(strings.NewReader(strings.Join(lines, "\n")), origin, "")
	zp.SetDefaultTTL(300)
	var out []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		out = append(out, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("bindtest: parse records: %w", err)
	}
	return out, nil
}

// closest returns the served apex closest to name, or "".
func closest(zones map[string][]dns.RR, name string) string {
	for n := name; ; {
		if _, ok := zones[n]; ok {
			return n
		}
		off, end := dns.NextLabel(n, 0)
		if end {
			return ""
		}
		n = n[off:]
	}
}
