package validate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/validate"
)

// dnsPlatform is the configuration every scenario checks against.
var dnsPlatform = validate.RequirementsConfig{
	A:                 []string{"203.0.113.10"},
	AAAA:              []string{"2001:db8::10"},
	CNAME:             "app.platform.net",
	ACMEChallengeZone: "abc123.platform-dns.net",
	OwnershipValues:   []string{"app-123", "org-456"},
}

// Records that make www.example.com fully configured, by concern.
var (
	dnsGoodA     = []string{"www.example.com. A 203.0.113.10", "www.example.com. AAAA 2001:db8::10"}
	dnsGoodACME  = []string{"_acme-challenge.www.example.com. CNAME www.example.com.abc123.platform-dns.net."}
	dnsGoodOwner = []string{`_certs-ownership.www.example.com. TXT "app-123"`}
	dnsGoodCAA   = []string{`example.com. CAA 0 issue "letsencrypt.org"`}
)

func dnsJoin(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// startDNS serves example.com (the user's zone), platform.net (the CNAME
// target) and example.org (somewhere else), plus records.
func startDNS(t testing.TB, records ...string) *dnstest.Server {
	t.Helper()
	s := dnstest.Start(t,
		dnstest.Zone{Name: "example.com"},
		dnstest.Zone{Name: "platform.net", Records: []string{"app A 203.0.113.10", "app AAAA 2001:db8::10"}},
		dnstest.Zone{Name: "example.org", Records: []string{"elsewhere A 198.51.100.9"}},
	)
	if len(records) > 0 {
		s.Add(records...)
	}
	return s
}

func dnsCheckOptions(s *dnstest.Server) validate.CheckOptions {
	return validate.CheckOptions{
		Resolvers:      []string{s.Addr()},
		NameserverPort: s.Port(),
		Timeout:        150 * time.Millisecond,
		Retries:        1,
	}
}

// records fills the example.com zone facts and empty slices into r.
func dnsRecords(r validate.DNSRecords) validate.DNSRecords {
	switch r.Zone {
	case "":
		r.Zone, r.SOA, r.NS = "example.com", "ns1.example.com", []string{"ns1.example.com"}
	case "-": // no zone found
		r.Zone = ""
	}
	for _, s := range []*[]string{&r.A, &r.AAAA, &r.CNAME, &r.ResolvedAddresses, &r.NS, &r.OwnershipTXT} {
		if *s == nil {
			*s = []string{}
		}
	}
	if r.CAA == nil {
		r.CAA = []validate.CAARecord{}
	}
	return r
}

var (
	dnsWWWAddrs = validate.DNSRecords{A: []string{"203.0.113.10"}, AAAA: []string{"2001:db8::10"},
		ResolvedAddresses: []string{"203.0.113.10", "2001:db8::10"}}
	dnsLECAA = []validate.CAARecord{{Name: "example.com", Flag: 0, Tag: "issue", Value: "letsencrypt.org"}}
)

// withAll adds the ACME, ownership and CAA facts of the good records.
func dnsWithAll(r validate.DNSRecords) validate.DNSRecords {
	r.ACMEChallengeCNAME = "www.example.com.abc123.platform-dns.net"
	r.OwnershipTXT = []string{"app-123"}
	r.CAA = dnsLECAA
	return r
}

type dnsFlags struct{ dns, http, alpn, acme, owner, caa bool }

func dnsAllFlags() dnsFlags { return dnsFlags{true, true, true, true, true, true} }

func dnsReportFlags(r *validate.DNSReport) dnsFlags {
	return dnsFlags{r.DNSConfigured, r.HTTPConfigured, r.ALPNConfigured, r.ACMEDNSConfigured, r.OwnershipTXTConfigured, r.CAAPermits}
}

type dnsVerr struct {
	Code, Message string
	Record        validate.DNSRecordRef
}

func dnsVerrs(r *validate.DNSReport, addr string) []dnsVerr {
	out := []dnsVerr{}
	for _, e := range r.ValidationErrors {
		out = append(out, dnsVerr{e.Code, strings.ReplaceAll(e.Message, addr, "ADDR"), e.Record})
	}
	return out
}

type dnsScenario struct {
	name    string
	host    string // default www.example.com
	records []string
	faults  map[string]dnstest.Fault
	opts    func(*validate.CheckOptions)
	flags   dnsFlags
	want    validate.DNSRecords
	errs    []dnsVerr
	is      error // errors.Is(report.Err(), is) when set
	setup   func(s *dnstest.Server)
	extra   func(t *testing.T, s *dnstest.Server, rep *validate.DNSReport)
}

func runDNSScenarios(t *testing.T, scenarios []dnsScenario) {
	t.Helper()
	for _, tc := range scenarios {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startDNS(t, tc.records...)
			if tc.setup != nil {
				tc.setup(s)
			}
			for name, f := range tc.faults {
				s.SetFault(name, f)
			}
			opts := dnsCheckOptions(s)
			if tc.opts != nil {
				tc.opts(&opts)
			}
			host := tc.host
			if host == "" {
				host = "www.example.com"
			}
			rep, err := validate.Check(context.Background(), host, validate.Requirements(host, dnsPlatform), opts)
			require.NoError(t, err)
			require.Equal(t, host, rep.Hostname)
			require.Equal(t, tc.flags, dnsReportFlags(rep))
			require.Equal(t, dnsRecords(tc.want), rep.Records)
			if tc.errs == nil {
				tc.errs = []dnsVerr{}
			}
			require.Equal(t, tc.errs, dnsVerrs(rep, s.Addr()))
			if tc.is != nil {
				require.ErrorIs(t, rep.Err(), tc.is)
			}
			if len(tc.errs) == 0 {
				require.NoError(t, rep.Err())
			}
			if tc.extra != nil {
				tc.extra(t, s, rep)
			}
		})
	}
}
