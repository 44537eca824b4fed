package validate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/bindtest"
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

// startDNS serves dnsZones plus records on the loopback server.
func startDNS(t testing.TB, records ...string) *dnstest.Server {
	t.Helper()
	return startDNSOptions(t, dnstest.Options{}, records...)
}

func startDNSOptions(t testing.TB, opts dnstest.Options, records ...string) *dnstest.Server {
	t.Helper()
	opts.TSIG = map[string]string{dnstest.DefaultTSIGKeyName: dnstest.DefaultTSIGSecret}
	s := dnstest.StartOptions(t, opts, dnsZones...)
	if len(records) > 0 {
		s.Add(records...)
	}
	return s
}

// dnsZones are the scenarios' zones: example.com (the user's zone),
// platform.net (the CNAME target) and example.org (somewhere else).
var dnsZones = []dnstest.Zone{
	{Name: "example.com"},
	{Name: "platform.net", Records: []string{"app A 203.0.113.10", "app AAAA 2001:db8::10"}},
	{Name: "example.org", Records: []string{"elsewhere A 198.51.100.9"}},
}

// bindZones are dnsZones for BIND.
func bindZones() []bindtest.Zone {
	out := make([]bindtest.Zone, len(dnsZones))
	for i, z := range dnsZones {
		out[i] = bindtest.Zone{Name: z.Name, Records: z.Records}
	}
	return out
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

type dnsFlags struct{ dns, http, alpn, acme, owner, caa, persist bool }

func dnsAllFlags() dnsFlags {
	return dnsFlags{dns: true, http: true, alpn: true, acme: true, owner: true, caa: true}
}

func dnsReportFlags(r *validate.DNSReport) dnsFlags {
	return dnsFlags{r.DNSConfigured, r.HTTPConfigured, r.ALPNConfigured, r.ACMEDNSConfigured, r.OwnershipTXTConfigured,
		r.CAAPermits, r.PersistTXTConfigured}
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
	// child are the records of child.example.com, which example.com
	// delegates to a second server on 127.0.0.2 (same port).
	child  []string
	faults map[string]dnstest.Fault // loopback server only
	// servFailLoops makes the loopback server answer CNAME loops SERVFAIL,
	// as BIND does.
	servFailLoops bool
	opts          func(*validate.CheckOptions)
	cfg           func(*validate.RequirementsConfig) // changes dnsPlatform
	flags         dnsFlags
	want          validate.DNSRecords
	errs          []dnsVerr
	is            error                                                          // errors.Is(report.Err(), is) when set
	setup         func(s *dnstest.Server)                                        // loopback server only
	extra         func(t *testing.T, s *dnstest.Server, rep *validate.DNSReport) // s is nil against BIND
}

// runDNSScenarios runs each scenario against the loopback server
// (internal/dnstest) and against BIND 9 (internal/bindtest) serving the
// same zones. Scenarios that inject faults or change the loopback server
// run against it alone.
func runDNSScenarios(t *testing.T, scenarios []dnsScenario) {
	t.Helper()
	for _, tc := range scenarios {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			t.Run("loopback", func(t *testing.T) { tc.run(t, tc.startLoopback(t)) })
			if len(tc.faults) == 0 && tc.setup == nil && !tc.servFailLoops {
				t.Run("bind9", func(t *testing.T) { tc.run(t, tc.startBIND(t)) })
			}
		})
	}
}

// scenarioServer is where a scenario's zones are served.
type scenarioServer struct {
	addr, port string
	loopback   *dnstest.Server // nil for BIND
}

func (tc dnsScenario) startLoopback(t *testing.T) scenarioServer {
	s := startDNSOptions(t, dnstest.Options{ServFailLoops: tc.servFailLoops}, tc.records...)
	if tc.child != nil {
		s.Add(dnsDelegation...)
		dnstest.StartOptions(t, dnstest.Options{IP: "127.0.0.2", Port: s.Port()}, dnstest.Zone{Name: "child.example.com", Records: tc.child})
	}
	if tc.setup != nil {
		tc.setup(s)
	}
	for name, f := range tc.faults {
		s.SetFault(name, f)
	}
	return scenarioServer{addr: s.Addr(), port: s.Port(), loopback: s}
}

func (tc dnsScenario) startBIND(t *testing.T) scenarioServer {
	records := tc.records
	if tc.child != nil {
		records = dnsJoin(records, dnsDelegation)
	}
	s := bindtest.Start(t, bindtest.Options{Records: records}, bindZones()...)
	if tc.child != nil {
		bindtest.Start(t, bindtest.Options{IP: "127.0.0.2", Port: s.Port()}, bindtest.Zone{Name: "child.example.com", Records: tc.child})
	}
	return scenarioServer{addr: s.Addr(), port: s.Port()}
}

// dnsDelegation delegates child.example.com to 127.0.0.2.
var dnsDelegation = []string{"child.example.com. NS ns1.child.example.com.", "ns1.child.example.com. A 127.0.0.2"}

func (tc dnsScenario) run(t *testing.T, s scenarioServer) {
	opts := validate.CheckOptions{Resolvers: []string{s.addr}, NameserverPort: s.port, Timeout: 150 * time.Millisecond, Retries: 1}
	if s.loopback != nil {
		opts = dnsCheckOptions(s.loopback)
	}
	if tc.opts != nil {
		tc.opts(&opts)
	}
	host := tc.host
	if host == "" {
		host = "www.example.com"
	}
	cfg := dnsPlatform
	if tc.cfg != nil {
		tc.cfg(&cfg)
	}
	rep, err := validate.Check(context.Background(), host, validate.Requirements(host, cfg), opts)
	require.NoError(t, err)
	require.Equal(t, host, rep.Hostname)
	require.Equal(t, tc.flags, dnsReportFlags(rep))
	require.Equal(t, dnsRecords(tc.want), rep.Records)
	if tc.errs == nil {
		tc.errs = []dnsVerr{}
	}
	require.Equal(t, tc.errs, dnsVerrs(rep, s.addr))
	if tc.is != nil {
		require.ErrorIs(t, rep.Err(), tc.is)
	}
	if len(tc.errs) == 0 {
		require.NoError(t, rep.Err())
	}
	if tc.extra != nil {
		tc.extra(t, s.loopback, rep)
	}
}
