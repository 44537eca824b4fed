package dnstest_test

import (
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/dnstest"
)

func exampleZone() dnstest.Zone {
	return dnstest.Zone{Name: "example.com", Records: []string{
		"www A 192.0.2.1",
		"www A 192.0.2.2",
		"alias CNAME www",
		"loop1 CNAME loop2",
		"loop2 CNAME loop1",
		"deep.sub TXT \"x\"",
		"@ CAA 0 issue \"letsencrypt.org\"",
	}}
}

func query(t *testing.T, addr, network, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	c := &dns.Client{Net: network, Timeout: 300 * time.Millisecond}
	r, _, err := c.Exchange(m, addr)
	require.NoError(t, err)
	return r
}

func TestQueries(t *testing.T) {
	s := dnstest.Start(t, exampleZone())
	tests := []struct {
		name    string
		qname   string
		qtype   uint16
		rcode   int
		answers int
		ns      int
	}{
		{"answers A records", "www.example.com", dns.TypeA, dns.RcodeSuccess, 2, 0},
		{"NODATA carries the SOA", "www.example.com", dns.TypeAAAA, dns.RcodeSuccess, 0, 1},
		{"NXDOMAIN carries the SOA", "nope.example.com", dns.TypeA, dns.RcodeNameError, 0, 1},
		{"empty non-terminal is NODATA", "sub.example.com", dns.TypeTXT, dns.RcodeSuccess, 0, 1},
		{"follows in-zone CNAME", "alias.example.com", dns.TypeA, dns.RcodeSuccess, 3, 0},
		{"CNAME query returns the CNAME only", "alias.example.com", dns.TypeCNAME, dns.RcodeSuccess, 1, 0},
		{"CNAME loop stops", "loop1.example.com", dns.TypeA, dns.RcodeSuccess, 2, 0},
		{"default SOA", "example.com", dns.TypeSOA, dns.RcodeSuccess, 1, 0},
		{"CAA", "example.com", dns.TypeCAA, dns.RcodeSuccess, 1, 0},
		{"out of zone is REFUSED", "example.org", dns.TypeA, dns.RcodeRefused, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := query(t, s.Addr(), "udp", tc.qname, tc.qtype)
			require.Equal(t, dns.RcodeToString[tc.rcode], dns.RcodeToString[r.Rcode])
			require.Len(t, r.Answer, tc.answers)
			require.Len(t, r.Ns, tc.ns)
		})
	}
}

func TestNSGlue(t *testing.T) {
	s := dnstest.Start(t, exampleZone())
	r := query(t, s.Addr(), "tcp", "example.com", dns.TypeNS)
	require.Len(t, r.Answer, 1)
	require.Equal(t, "ns1.example.com.", r.Answer[0].(*dns.NS).Ns)
	require.Len(t, r.Extra, 1)
	require.Equal(t, "127.0.0.1", r.Extra[0].(*dns.A).A.String())
}

func TestMutation(t *testing.T) {
	s := dnstest.Start(t, exampleZone())
	s.Add("new.example.com. 60 IN TXT \"hello\"")
	require.Len(t, query(t, s.Addr(), "udp", "new.example.com", dns.TypeTXT).Answer, 1)
	s.Remove("new.example.com", dns.TypeTXT)
	require.Equal(t, dns.RcodeNameError, query(t, s.Addr(), "udp", "new.example.com", dns.TypeTXT).Rcode)
	rr, err := dns.NewRR("www.example.com. 300 IN A 192.0.2.1")
	require.NoError(t, err)
	s.RemoveRR(rr)
	require.Len(t, s.Records("www.example.com", dns.TypeA), 1)
	require.Error(t, s.AddRR(&dns.A{Hdr: dns.RR_Header{Name: "x.example.org.", Rrtype: dns.TypeA, Class: dns.ClassINET}}))
	s.AddZone(dnstest.Zone{Name: "example.org"})
	require.Len(t, query(t, s.Addr(), "udp", "example.org", dns.TypeSOA).Answer, 1)
}

func TestFaults(t *testing.T) {
	s := dnstest.Start(t, exampleZone())
	s.SetFault("www.example.com", dnstest.ServFail)
	require.Equal(t, dns.RcodeServerFailure, query(t, s.Addr(), "udp", "www.example.com", dns.TypeA).Rcode)

	s.SetFault("www.example.com", dnstest.Truncate)
	udp := query(t, s.Addr(), "udp", "www.example.com", dns.TypeA)
	require.True(t, udp.Truncated)
	require.Len(t, udp.Answer, 1)
	tcp := query(t, s.Addr(), "tcp", "www.example.com", dns.TypeA)
	require.False(t, tcp.Truncated)
	require.Len(t, tcp.Answer, 2)

	s.SetFault("www.example.com", dnstest.Timeout)
	m := new(dns.Msg).SetQuestion("www.example.com.", dns.TypeA)
	for _, network := range []string{"udp", "tcp"} {
		_, _, err := (&dns.Client{Net: network, Timeout: 100 * time.Millisecond}).Exchange(m, s.Addr())
		require.Error(t, err, network)
	}

	s.SetFault("www.example.com", dnstest.NoFault)
	require.Len(t, query(t, s.Addr(), "udp", "www.example.com", dns.TypeA).Answer, 2)
	st := s.Stats()
	require.Positive(t, st.TCP)
	require.Positive(t, st.UDP)
}

func update(t *testing.T, addr, key, secret string, build func(*dns.Msg)) (*dns.Msg, error) {
	t.Helper()
	m := new(dns.Msg)
	m.SetUpdate("example.com.")
	build(m)
	c := &dns.Client{Net: "udp", Timeout: time.Second}
	if key != "" {
		m.SetTsig(key, dns.HmacSHA256, 300, time.Now().Unix())
		c.TsigSecret = map[string]string{key: secret}
	}
	r, _, err := c.Exchange(m, addr)
	return r, err
}

func TestUpdate(t *testing.T) {
	s := dnstest.Start(t, exampleZone())
	txt := func(v string) dns.RR {
		return &dns.TXT{Hdr: dns.RR_Header{Name: "_acme-challenge.example.com.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{v}}
	}
	key, secret := dnstest.DefaultTSIGKeyName, dnstest.DefaultTSIGSecret

	r, err := update(t, s.Addr(), key, secret, func(m *dns.Msg) { m.Insert([]dns.RR{txt("a"), txt("b")}) })
	require.NoError(t, err)
	require.Equal(t, dns.RcodeSuccess, r.Rcode)
	require.Len(t, s.Records("_acme-challenge.example.com", dns.TypeTXT), 2)

	r, err = update(t, s.Addr(), key, secret, func(m *dns.Msg) { m.Remove([]dns.RR{txt("a")}) })
	require.NoError(t, err)
	require.Equal(t, dns.RcodeSuccess, r.Rcode)
	got := s.Records("_acme-challenge.example.com", dns.TypeTXT)
	require.Len(t, got, 1)
	require.Equal(t, []string{"b"}, got[0].(*dns.TXT).Txt)

	r, err = update(t, s.Addr(), key, secret, func(m *dns.Msg) { m.RemoveRRset([]dns.RR{txt("")}) })
	require.NoError(t, err)
	require.Equal(t, dns.RcodeSuccess, r.Rcode)
	require.Empty(t, s.Records("_acme-challenge.example.com", dns.TypeTXT))

	r, err = update(t, s.Addr(), "", "", func(m *dns.Msg) { m.Insert([]dns.RR{txt("a")}) })
	require.NoError(t, err)
	require.Equal(t, dns.RcodeRefused, r.Rcode, "unsigned update")

	r, err = update(t, s.Addr(), key, "d3Jvbmc=", func(m *dns.Msg) { m.Insert([]dns.RR{txt("a")}) })
	require.Error(t, err, "bad signature")
	require.Equal(t, dns.RcodeNotAuth, r.Rcode)
	require.Equal(t, uint16(dns.RcodeBadSig), r.IsTsig().Error)
	require.Empty(t, s.Records("_acme-challenge.example.com", dns.TypeTXT))
}

func TestReferrals(t *testing.T) {
	z := exampleZone()
	z.Records = append(z.Records, "child NS ns1.child", "ns1.child A 127.0.0.2", "alias-in CNAME www.child")
	s := dnstest.Start(t, z)
	tests := []struct {
		name  string
		qname string
		qtype uint16
		aa    bool
		ns    int
		extra int
	}{
		{"SOA of the child apex is referred", "child.example.com", dns.TypeSOA, false, 1, 1},
		{"name below the cut is referred", "_acme-challenge.www.child.example.com", dns.TypeTXT, false, 1, 1},
		{"glue name is referred", "ns1.child.example.com", dns.TypeA, false, 1, 1},
		{"parent names are answered", "www.example.com", dns.TypeA, true, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := query(t, s.Addr(), "udp", tc.qname, tc.qtype)
			require.Equal(t, dns.RcodeSuccess, r.Rcode)
			require.Equal(t, tc.aa, r.Authoritative)
			require.Len(t, r.Ns, tc.ns)
			require.Len(t, r.Extra, tc.extra, "glue")
		})
	}
	r := query(t, s.Addr(), "udp", "alias-in.example.com", dns.TypeA)
	require.True(t, r.Authoritative)
	require.Len(t, r.Answer, 1, "a CNAME into a delegated zone is not chased")
}

func TestServFailLoops(t *testing.T) {
	tests := []struct {
		name  string
		opts  dnstest.Options
		rcode int
	}{
		{"NOERROR by default", dnstest.Options{}, dns.RcodeSuccess},
		{"SERVFAIL like BIND", dnstest.Options{ServFailLoops: true}, dns.RcodeServerFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := dnstest.StartOptions(t, tc.opts, exampleZone())
			r := query(t, s.Addr(), "udp", "loop1.example.com", dns.TypeA)
			require.Equal(t, dns.RcodeToString[tc.rcode], dns.RcodeToString[r.Rcode])
			require.True(t, r.Authoritative)
			require.Len(t, r.Answer, 2, "the chain so far, as BIND sends it")
			cname := query(t, s.Addr(), "udp", "loop1.example.com", dns.TypeCNAME)
			require.Equal(t, dns.RcodeSuccess, cname.Rcode, "a CNAME query is not chased")
			require.Len(t, cname.Answer, 1)
		})
	}
}

func TestSecondAddressSamePort(t *testing.T) {
	parent := dnstest.Start(t, exampleZone())
	child := dnstest.StartOptions(t, dnstest.Options{IP: "127.0.0.2", Port: parent.Port()},
		dnstest.Zone{Name: "child.example.com", Records: []string{"www A 192.0.2.7"}})
	require.Equal(t, "127.0.0.2:"+parent.Port(), child.Addr())
	r := query(t, child.Addr(), "udp", "www.child.example.com", dns.TypeA)
	require.Len(t, r.Answer, 1)
}
