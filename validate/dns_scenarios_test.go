package validate_test

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/validate"
)

func TestCheckAddresses(t *testing.T) {
	rest := dnsJoin(dnsGoodACME, dnsGoodOwner, dnsGoodCAA)
	platformAddrs := validate.DNSRecords{A: []string{"203.0.113.10"}, AAAA: []string{"2001:db8::10"},
		ResolvedAddresses: []string{"203.0.113.10", "2001:db8::10"}}
	runDNSScenarios(t, []dnsScenario{{
		name:    "all correct",
		records: dnsJoin(dnsGoodA, rest),
		flags:   dnsAllFlags(),
		want:    dnsWithAll(dnsWWWAddrs),
	}, {
		name:    "A only",
		records: dnsJoin([]string{"www.example.com. A 203.0.113.10"}, rest),
		flags:   dnsAllFlags(),
		want: dnsWithAll(validate.DNSRecords{A: []string{"203.0.113.10"},
			ResolvedAddresses: []string{"203.0.113.10"}}),
	}, {
		name:    "wrong A below the apex asks for the CNAME",
		records: dnsJoin([]string{"www.example.com. A 198.51.100.7"}, rest),
		flags:   dnsFlags{acme: true, owner: true, caa: true},
		want:    dnsWithAll(validate.DNSRecords{A: []string{"198.51.100.7"}, ResolvedAddresses: []string{"198.51.100.7"}}),
		errs: []dnsVerr{
			{"unexpected_a", "remove the A record www.example.com with value 198.51.100.7; it does not point to this platform",
				validate.DNSRecordRef{Type: "A", Name: "www.example.com", Value: "198.51.100.7"}},
			{"missing_cname", "add a CNAME record www.example.com with value app.platform.net",
				validate.DNSRecordRef{Type: "CNAME", Name: "www.example.com", Value: "app.platform.net"}},
		},
	}, {
		name:    "one right and one wrong A",
		records: dnsJoin([]string{"www.example.com. A 203.0.113.10", "www.example.com. A 198.51.100.7"}, rest),
		flags:   dnsFlags{acme: true, owner: true, caa: true},
		want: dnsWithAll(validate.DNSRecords{A: []string{"198.51.100.7", "203.0.113.10"},
			ResolvedAddresses: []string{"198.51.100.7", "203.0.113.10"}}),
		errs: []dnsVerr{
			{"unexpected_a", "remove the A record www.example.com with value 198.51.100.7; it does not point to this platform",
				validate.DNSRecordRef{Type: "A", Name: "www.example.com", Value: "198.51.100.7"}},
		},
	}, {
		name:    "nothing at the apex asks for A and AAAA records",
		host:    "example.com",
		records: []string{`_certs-ownership.example.com. TXT "org-456"`},
		flags:   dnsFlags{owner: true, caa: true},
		want:    validate.DNSRecords{OwnershipTXT: []string{"org-456"}},
		errs: []dnsVerr{
			{"missing_a", "add an A record example.com with value 203.0.113.10",
				validate.DNSRecordRef{Type: "A", Name: "example.com", Value: "203.0.113.10"}},
			{"missing_aaaa", "add an AAAA record example.com with value 2001:db8::10",
				validate.DNSRecordRef{Type: "AAAA", Name: "example.com", Value: "2001:db8::10"}},
		},
	}, {
		name:    "name that does not exist",
		records: dnsGoodCAA,
		flags:   dnsFlags{caa: true},
		want:    validate.DNSRecords{CAA: dnsLECAA},
		errs: []dnsVerr{
			{"missing_cname", "add a CNAME record www.example.com with value app.platform.net",
				validate.DNSRecordRef{Type: "CNAME", Name: "www.example.com", Value: "app.platform.net"}},
			{"missing_ownership_txt", "add a TXT record _certs-ownership.www.example.com with value app-123",
				validate.DNSRecordRef{Type: "TXT", Name: "_certs-ownership.www.example.com", Value: "app-123"}},
		},
		is: validate.ErrNXDomain,
	}, {
		name:    "CNAME to the target",
		records: dnsJoin([]string{"www.example.com. CNAME app.platform.net."}, rest),
		flags:   dnsAllFlags(),
		want: dnsWithAll(validate.DNSRecords{CNAME: []string{"app.platform.net"}, A: platformAddrs.A,
			AAAA: platformAddrs.AAAA, ResolvedAddresses: platformAddrs.ResolvedAddresses}),
	}, {
		name: "CNAME chain through the zone to the target",
		records: dnsJoin([]string{"www.example.com. CNAME hop.example.com.", "hop.example.com. CNAME app.platform.net."},
			rest),
		flags: dnsAllFlags(),
		want: dnsWithAll(validate.DNSRecords{CNAME: []string{"hop.example.com", "app.platform.net"}, A: platformAddrs.A,
			AAAA: platformAddrs.AAAA, ResolvedAddresses: platformAddrs.ResolvedAddresses}),
	}, {
		name:    "CNAME loop",
		records: dnsJoin([]string{"www.example.com. CNAME loop.example.com.", "loop.example.com. CNAME www.example.com."}, dnsGoodACME, dnsGoodOwner),
		flags:   dnsFlags{acme: true, owner: true},
		want: validate.DNSRecords{CNAME: []string{"loop.example.com", "www.example.com"},
			ACMEChallengeCNAME: "www.example.com.abc123.platform-dns.net", OwnershipTXT: []string{"app-123"}},
		errs: []dnsVerr{
			{"cname_loop", "the CNAME chain of www.example.com loops (www.example.com -> loop.example.com -> www.example.com); change the CNAME record www.example.com to point to app.platform.net",
				validate.DNSRecordRef{Type: "CNAME", Name: "www.example.com"}},
		},
		is: validate.ErrCNAMELoop,
	}, {
		name:          "CNAME loop answered SERVFAIL, as BIND answers it",
		records:       dnsJoin([]string{"www.example.com. CNAME loop.example.com.", "loop.example.com. CNAME www.example.com."}, dnsGoodACME, dnsGoodOwner),
		servFailLoops: true,
		flags:         dnsFlags{acme: true, owner: true},
		want: validate.DNSRecords{CNAME: []string{"loop.example.com", "www.example.com"},
			ACMEChallengeCNAME: "www.example.com.abc123.platform-dns.net", OwnershipTXT: []string{"app-123"}},
		errs: []dnsVerr{
			{"cname_loop", "the CNAME chain of www.example.com loops (www.example.com -> loop.example.com -> www.example.com); change the CNAME record www.example.com to point to app.platform.net",
				validate.DNSRecordRef{Type: "CNAME", Name: "www.example.com"}},
		},
		is: validate.ErrCNAMELoop,
	}, {
		name: "CNAME loop across zones",
		records: dnsJoin([]string{"www.example.com. CNAME hop.example.org.", "hop.example.org. CNAME www.example.com."},
			dnsGoodACME, dnsGoodOwner),
		flags: dnsFlags{acme: true, owner: true},
		want: validate.DNSRecords{CNAME: []string{"hop.example.org", "www.example.com"},
			ACMEChallengeCNAME: "www.example.com.abc123.platform-dns.net", OwnershipTXT: []string{"app-123"}},
		errs: []dnsVerr{
			{"cname_loop", "the CNAME chain of www.example.com loops (www.example.com -> hop.example.org -> www.example.com); change the CNAME record www.example.com to point to app.platform.net",
				validate.DNSRecordRef{Type: "CNAME", Name: "www.example.com"}},
		},
		is: validate.ErrCNAMELoop,
	}, {
		name: "CNAME chain longer than the bound",
		records: dnsJoin([]string{"www.example.com. CNAME h1.example.com.", "h1.example.com. CNAME h2.example.com.",
			"h2.example.com. CNAME app.platform.net."}, rest),
		opts:  func(o *validate.CheckOptions) { o.MaxCNAMEChain = 2 },
		flags: dnsFlags{acme: true, owner: true}, // the CAA lookup of www.example.com meets the same chain
		want: validate.DNSRecords{CNAME: []string{"h1.example.com", "h2.example.com", "app.platform.net"},
			ACMEChallengeCNAME: "www.example.com.abc123.platform-dns.net", OwnershipTXT: []string{"app-123"}},
		errs: []dnsVerr{
			{"cname_chain_too_long", "the CNAME chain of www.example.com is too long (www.example.com -> h1.example.com -> h2.example.com -> app.platform.net); change the CNAME record www.example.com to point to app.platform.net",
				validate.DNSRecordRef{Type: "CNAME", Name: "www.example.com"}},
		},
		is: validate.ErrCNAMEChainTooLong,
	}, {
		name:    "CNAME elsewhere",
		records: dnsJoin([]string{"www.example.com. CNAME elsewhere.example.org."}, rest),
		flags:   dnsFlags{acme: true, owner: true, caa: true},
		want: dnsWithAll(validate.DNSRecords{CNAME: []string{"elsewhere.example.org"}, A: []string{"198.51.100.9"},
			ResolvedAddresses: []string{"198.51.100.9"}}),
		errs: []dnsVerr{
			{"wrong_cname", "change the CNAME record www.example.com to point to app.platform.net; it points to elsewhere.example.org",
				validate.DNSRecordRef{Type: "CNAME", Name: "www.example.com", Value: "app.platform.net"}},
		},
	}})
}

func TestCheckDelegatedChildZone(t *testing.T) {
	child := []string{"www CNAME app.platform.net.", "_acme-challenge.www CNAME www.child.example.com.abc123.platform-dns.net.",
		`_certs-ownership.www TXT "app-123"`}
	zone := validate.DNSRecords{Zone: "child.example.com", SOA: "ns1.child.example.com", NS: []string{"ns1.child.example.com"}}
	runDNSScenarios(t, []dnsScenario{{
		name:    "a name in a child zone on another server",
		host:    "www.child.example.com",
		records: dnsGoodCAA,
		child:   child,
		flags:   dnsAllFlags(),
		want: func() validate.DNSRecords {
			r := zone
			r.CNAME, r.A, r.AAAA = []string{"app.platform.net"}, []string{"203.0.113.10"}, []string{"2001:db8::10"}
			r.ResolvedAddresses = []string{"203.0.113.10", "2001:db8::10"}
			r.ACMEChallengeCNAME, r.OwnershipTXT, r.CAA = "www.child.example.com.abc123.platform-dns.net", []string{"app-123"}, dnsLECAA
			return r
		}(),
	}, {
		name:    "records hidden below the delegation in the parent are not seen",
		host:    "www.child.example.com",
		records: []string{"www.child.example.com. A 203.0.113.10"}, // occluded data in the parent
		child:   []string{},
		flags:   dnsFlags{caa: true},
		want:    zone,
		errs: []dnsVerr{
			{"missing_cname", "add a CNAME record www.child.example.com with value app.platform.net",
				validate.DNSRecordRef{Type: "CNAME", Name: "www.child.example.com", Value: "app.platform.net"}},
			{"missing_ownership_txt", "add a TXT record _certs-ownership.www.child.example.com with value app-123",
				validate.DNSRecordRef{Type: "TXT", Name: "_certs-ownership.www.child.example.com", Value: "app-123"}},
		},
		is: validate.ErrNXDomain,
	}})
}

func TestCheckFaults(t *testing.T) {
	rest := dnsJoin(dnsGoodACME, dnsGoodOwner, dnsGoodCAA)
	runDNSScenarios(t, []dnsScenario{{
		name:    "SERVFAIL",
		records: dnsJoin(dnsGoodA, rest),
		faults:  map[string]dnstest.Fault{"www.example.com": dnstest.ServFail},
		flags:   dnsFlags{acme: true, owner: true},
		want: validate.DNSRecords{Zone: "-", ACMEChallengeCNAME: "www.example.com.abc123.platform-dns.net",
			OwnershipTXT: []string{"app-123"}},
		errs: dnsLookupErrs("the nameserver answered SERVFAIL (server failure); check that your DNS provider serves the zone and that its DNSSEC signatures are valid"),
		is:   validate.ErrServFail,
	}, {
		name:    "timeout",
		records: dnsJoin(dnsGoodA, rest),
		faults:  map[string]dnstest.Fault{"www.example.com": dnstest.Timeout},
		flags:   dnsFlags{acme: true, owner: true},
		want: validate.DNSRecords{Zone: "-", ACMEChallengeCNAME: "www.example.com.abc123.platform-dns.net",
			OwnershipTXT: []string{"app-123"}},
		errs: dnsLookupErrs("no answer before the timeout; check that the zone's nameservers are reachable"),
		is:   validate.ErrDNSTimeout,
	}, {
		name: "truncated UDP answer is retried over TCP",
		records: dnsJoin(dnsGoodA, []string{"www.example.com. A 203.0.113.11", "www.example.com. A 203.0.113.12"},
			rest),
		faults: map[string]dnstest.Fault{"www.example.com": dnstest.Truncate},
		opts: func(o *validate.CheckOptions) {
			o.ExpectedAddresses = []string{"203.0.113.10", "203.0.113.11", "203.0.113.12", "2001:db8::10"}
		},
		flags: dnsAllFlags(),
		want: dnsWithAll(validate.DNSRecords{A: []string{"203.0.113.10", "203.0.113.11", "203.0.113.12"},
			AAAA: []string{"2001:db8::10"}, ResolvedAddresses: []string{"203.0.113.10", "203.0.113.11", "203.0.113.12", "2001:db8::10"}}),
		extra: func(t *testing.T, s *dnstest.Server, _ *validate.DNSReport) {
			require.Positive(t, s.Stats().TCP, "the truncated answer was retried over TCP")
		},
	}, {
		name:    "unreachable nameservers fall back to the resolver",
		records: dnsJoin(dnsGoodA, rest),
		setup: func(s *dnstest.Server) {
			s.Remove("ns1.example.com", dns.TypeA)
			s.Add("ns1.example.com. A 127.0.0.2") // nothing listens there
		},
		flags: dnsAllFlags(),
		want:  dnsWithAll(dnsWWWAddrs),
	}})
}

// lookupErrs are the errors of every lookup of www.example.com failing
// with problem, asked of the resolver at ADDR.
func dnsLookupErrs(problem string) []dnsVerr {
	var out []dnsVerr
	for _, typ := range []string{"SOA", "A", "AAAA", "CAA"} {
		out = append(out, dnsVerr{"lookup_failed", "look up " + typ + " www.example.com at ADDR: " + problem,
			validate.DNSRecordRef{Type: typ, Name: "www.example.com"}})
	}
	return out
}

func TestCheckACMEChallenge(t *testing.T) {
	rest := dnsJoin(dnsGoodA, dnsGoodOwner, dnsGoodCAA)
	addrs := dnsWithAll(dnsWWWAddrs)
	notDelegated := addrs
	notDelegated.ACMEChallengeCNAME = ""
	wrong := addrs
	wrong.ACMEChallengeCNAME = "elsewhere.example.org"
	runDNSScenarios(t, []dnsScenario{{
		name:    "delegated",
		records: dnsJoin(dnsGoodACME, rest),
		flags:   dnsAllFlags(),
		want:    addrs,
	}, {
		name:    "not delegated",
		records: rest,
		flags:   dnsFlags{dns: true, http: true, alpn: true, owner: true, caa: true},
		want:    notDelegated,
	}, {
		name:    "delegated elsewhere",
		records: dnsJoin([]string{"_acme-challenge.www.example.com. CNAME elsewhere.example.org."}, rest),
		flags:   dnsFlags{dns: true, http: true, alpn: true, owner: true, caa: true},
		want:    wrong,
		errs: []dnsVerr{{"wrong_acme_challenge_cname",
			"change the CNAME record _acme-challenge.www.example.com to point to www.example.com.abc123.platform-dns.net; it points to elsewhere.example.org",
			validate.DNSRecordRef{Type: "CNAME", Name: "_acme-challenge.www.example.com", Value: "www.example.com.abc123.platform-dns.net"}}},
	}, {
		name: "wildcard delegated",
		host: "*.example.com",
		records: dnsJoin(dnsGoodCAA, []string{"*.example.com. CNAME app.platform.net.",
			"_acme-challenge.example.com. CNAME example.com.abc123.platform-dns.net.",
			`_certs-ownership.example.com. TXT "app-123"`}),
		flags: dnsFlags{dns: true, acme: true, owner: true, caa: true},
		want: validate.DNSRecords{CNAME: []string{"app.platform.net"}, A: []string{"203.0.113.10"}, AAAA: []string{"2001:db8::10"},
			ResolvedAddresses: []string{"203.0.113.10", "2001:db8::10"}, ACMEChallengeCNAME: "example.com.abc123.platform-dns.net",
			OwnershipTXT: []string{"app-123"}, CAA: dnsLECAA},
	}, {
		name:    "wildcard not delegated",
		host:    "*.example.com",
		records: dnsJoin(dnsGoodCAA, []string{"*.example.com. A 203.0.113.10", `_certs-ownership.example.com. TXT "app-123"`}),
		flags:   dnsFlags{dns: true, owner: true, caa: true},
		want: validate.DNSRecords{A: []string{"203.0.113.10"}, ResolvedAddresses: []string{"203.0.113.10"},
			OwnershipTXT: []string{"app-123"}, CAA: dnsLECAA},
		errs: []dnsVerr{{"missing_acme_challenge_cname",
			"add a CNAME record _acme-challenge.example.com with value example.com.abc123.platform-dns.net; wildcard certificates need the DNS-01 challenge",
			validate.DNSRecordRef{Type: "CNAME", Name: "_acme-challenge.example.com", Value: "example.com.abc123.platform-dns.net"}}},
	}})
}

// TestCheckWildcardCNAMECoversChallenge: a wildcard CNAME also answers
// for _acme-challenge (RFC 4592), as BIND showed; the fix is a record of
// its own at _acme-challenge.
func TestCheckWildcardCNAMECoversChallenge(t *testing.T) {
	runDNSScenarios(t, []dnsScenario{{
		name:    "wildcard CNAME answers for _acme-challenge",
		host:    "*.example.com",
		records: dnsJoin(dnsGoodCAA, []string{"*.example.com. CNAME app.platform.net.", `_certs-ownership.example.com. TXT "app-123"`}),
		flags:   dnsFlags{dns: true, owner: true, caa: true},
		want: validate.DNSRecords{CNAME: []string{"app.platform.net"}, A: []string{"203.0.113.10"}, AAAA: []string{"2001:db8::10"},
			ResolvedAddresses: []string{"203.0.113.10", "2001:db8::10"}, ACMEChallengeCNAME: "app.platform.net",
			OwnershipTXT: []string{"app-123"}, CAA: dnsLECAA},
		errs: []dnsVerr{{"wrong_acme_challenge_cname",
			"change the CNAME record _acme-challenge.example.com to point to example.com.abc123.platform-dns.net; it points to app.platform.net",
			validate.DNSRecordRef{Type: "CNAME", Name: "_acme-challenge.example.com", Value: "example.com.abc123.platform-dns.net"}}},
	}})
}

func TestCheckOwnership(t *testing.T) {
	rest := dnsJoin(dnsGoodA, dnsGoodACME, dnsGoodCAA)
	with := func(txt ...string) validate.DNSRecords {
		r := dnsWithAll(dnsWWWAddrs)
		r.OwnershipTXT = txt
		return r
	}
	runDNSScenarios(t, []dnsScenario{{
		name:    "app value",
		records: dnsJoin(dnsGoodOwner, rest),
		flags:   dnsAllFlags(),
		want:    with("app-123"),
	}, {
		name:    "org value among others",
		records: dnsJoin([]string{`_certs-ownership.www.example.com. TXT "unrelated"`, `_certs-ownership.www.example.com. TXT "org-" "456"`}, rest),
		flags:   dnsAllFlags(),
		want:    with("org-456", "unrelated"), // sorted: a set has no order
	}, {
		name:    "missing",
		records: rest,
		flags:   dnsFlags{dns: true, http: true, alpn: true, acme: true, caa: true},
		want:    with(),
		errs: []dnsVerr{{"missing_ownership_txt", "add a TXT record _certs-ownership.www.example.com with value app-123",
			validate.DNSRecordRef{Type: "TXT", Name: "_certs-ownership.www.example.com", Value: "app-123"}}},
		is: validate.ErrNXDomain,
	}, {
		name:    "wrong",
		records: dnsJoin([]string{`_certs-ownership.www.example.com. TXT "app-999"`}, rest),
		flags:   dnsFlags{dns: true, http: true, alpn: true, acme: true, caa: true},
		want:    with("app-999"),
		errs: []dnsVerr{{"wrong_ownership_txt", `change the TXT record _certs-ownership.www.example.com to the value app-123; it has "app-999"`,
			validate.DNSRecordRef{Type: "TXT", Name: "_certs-ownership.www.example.com", Value: "app-123"}}},
	}, {
		name: "delegated by CNAME",
		records: dnsJoin([]string{"_certs-ownership.www.example.com. CNAME owner.example.org.",
			`owner.example.org. TXT "app-123"`}, rest),
		flags: dnsAllFlags(),
		want:  with("app-123"),
	}})
}

func TestCheckCAA(t *testing.T) {
	rest := dnsJoin(dnsGoodA, dnsGoodACME, dnsGoodOwner)
	with := func(caa ...validate.CAARecord) validate.DNSRecords {
		r := dnsWithAll(dnsWWWAddrs)
		r.CAA = caa
		return r
	}
	caa := func(name string, flag uint8, tag, value string) validate.CAARecord {
		return validate.CAARecord{Name: name, Flag: flag, Tag: tag, Value: value}
	}
	noCAA := dnsFlags{dns: true, http: true, alpn: true, acme: true, owner: true}
	runDNSScenarios(t, []dnsScenario{{
		name:    "no CAA anywhere permits",
		records: rest,
		flags:   dnsAllFlags(),
		want:    with(),
	}, {
		name:    "allowing, with parameters",
		records: dnsJoin([]string{`example.com. CAA 0 issue "letsencrypt.org; validationmethods=dns-01"`}, rest),
		flags:   dnsAllFlags(),
		want:    with(caa("example.com", 0, "issue", "letsencrypt.org; validationmethods=dns-01")),
	}, {
		name:    "forbidding",
		records: dnsJoin([]string{`example.com. CAA 0 issue "pki.goog"`}, rest),
		flags:   noCAA,
		want:    with(caa("example.com", 0, "issue", "pki.goog")),
		errs: []dnsVerr{{"caa_forbids",
			`the CAA records of example.com do not allow letsencrypt.org to issue certificates for www.example.com; add a CAA record example.com with value 0 issue "letsencrypt.org"`,
			validate.DNSRecordRef{Type: "CAA", Name: "example.com", Value: `0 issue "letsencrypt.org"`}}},
	}, {
		name:    "empty issue forbids everyone",
		records: dnsJoin([]string{`example.com. CAA 0 issue ";"`}, rest),
		flags:   noCAA,
		want:    with(caa("example.com", 0, "issue", ";")),
		errs: []dnsVerr{{"caa_forbids",
			`the CAA records of example.com do not allow letsencrypt.org to issue certificates for www.example.com; add a CAA record example.com with value 0 issue "letsencrypt.org"`,
			validate.DNSRecordRef{Type: "CAA", Name: "example.com", Value: `0 issue "letsencrypt.org"`}}},
	}, {
		name:    "issuewild only does not restrict a plain name",
		records: dnsJoin([]string{`example.com. CAA 0 issuewild "pki.goog"`}, rest),
		flags:   dnsAllFlags(),
		want:    with(caa("example.com", 0, "issuewild", "pki.goog")),
	}, {
		name:    "closest node wins over the parent",
		records: dnsJoin([]string{`www.example.com. CAA 0 issue "letsencrypt.org"`, `example.com. CAA 0 issue "pki.goog"`}, rest),
		flags:   dnsAllFlags(),
		want:    with(caa("www.example.com", 0, "issue", "letsencrypt.org")),
	}, {
		name:    "on a parent of a deeper name",
		host:    "a.b.example.com",
		records: []string{"a.b.example.com. CNAME app.platform.net.", `example.com. CAA 0 issue "pki.goog"`},
		flags:   dnsFlags{dns: true, http: true, alpn: true},
		want: validate.DNSRecords{CNAME: []string{"app.platform.net"}, A: []string{"203.0.113.10"}, AAAA: []string{"2001:db8::10"},
			ResolvedAddresses: []string{"203.0.113.10", "2001:db8::10"}, CAA: []validate.CAARecord{caa("example.com", 0, "issue", "pki.goog")}},
		errs: []dnsVerr{
			{"missing_ownership_txt", "add a TXT record _certs-ownership.a.b.example.com with value app-123",
				validate.DNSRecordRef{Type: "TXT", Name: "_certs-ownership.a.b.example.com", Value: "app-123"}},
			{"caa_forbids",
				`the CAA records of example.com do not allow letsencrypt.org to issue certificates for a.b.example.com; add a CAA record example.com with value 0 issue "letsencrypt.org"`,
				validate.DNSRecordRef{Type: "CAA", Name: "example.com", Value: `0 issue "letsencrypt.org"`}}},
	}, {
		name:    "critical unknown tag forbids",
		records: dnsJoin(dnsGoodCAA, []string{`example.com. CAA 128 tbs "x"`}, rest),
		flags:   noCAA,
		want:    with(dnsLECAA[0], caa("example.com", 128, "tbs", "x")),
		errs: []dnsVerr{{"caa_critical_unknown_tag",
			`the CAA record example.com 128 tbs "x" is critical with a tag that CAs do not know, which forbids all issuance; remove it or clear its critical flag`,
			validate.DNSRecordRef{Type: "CAA", Name: "example.com", Value: `128 tbs "x"`}}},
	}, {
		name: "issuewild forbids a wildcard that issue allows",
		host: "*.example.com",
		records: []string{"*.example.com. CNAME app.platform.net.", `example.com. CAA 0 issue "letsencrypt.org"`,
			`example.com. CAA 0 issuewild "pki.goog"`, "_acme-challenge.example.com. CNAME example.com.abc123.platform-dns.net.",
			`_certs-ownership.example.com. TXT "app-123"`},
		flags: dnsFlags{dns: true, acme: true, owner: true},
		want: validate.DNSRecords{CNAME: []string{"app.platform.net"}, A: []string{"203.0.113.10"}, AAAA: []string{"2001:db8::10"},
			ResolvedAddresses: []string{"203.0.113.10", "2001:db8::10"}, ACMEChallengeCNAME: "example.com.abc123.platform-dns.net",
			OwnershipTXT: []string{"app-123"}, CAA: []validate.CAARecord{dnsLECAA[0], caa("example.com", 0, "issuewild", "pki.goog")}},
		errs: []dnsVerr{{"caa_forbids",
			`the CAA records of example.com do not allow letsencrypt.org to issue wildcard certificates for *.example.com; add a CAA record example.com with value 0 issuewild "letsencrypt.org"`,
			validate.DNSRecordRef{Type: "CAA", Name: "example.com", Value: `0 issuewild "letsencrypt.org"`}}},
	}, {
		name:    "second configured CA is permitted",
		records: dnsJoin([]string{`example.com. CAA 0 issue "sectigo.com"`}, rest),
		opts:    func(o *validate.CheckOptions) { o.CAIdentities = []string{"letsencrypt.org", "sectigo.com"} },
		flags:   dnsAllFlags(),
		want:    with(caa("example.com", 0, "issue", "sectigo.com")),
		extra: func(t *testing.T, _ *dnstest.Server, rep *validate.DNSReport) {
			require.Equal(t, []string{"sectigo.com"}, rep.CAAPermitted)
		},
	}})
}
