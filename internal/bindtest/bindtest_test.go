package bindtest_test

import (
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/bindtest"
)

const (
	keyName = "certs-test-key."
	secret  = "Y2VydHMtZGV2IHRlc3QgVFNJRyBzZWNyZXQgMzIgYnl0ZXM="
)

func ask(t *testing.T, addr, name string, qtype uint16) *dns.Msg {
	t.Helper()
	r, _, err := (&dns.Client{Timeout: time.Second}).Exchange(new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype), addr)
	require.NoError(t, err)
	return r
}

func TestServesZonesAndUpdates(t *testing.T) {
	s := bindtest.Start(t, bindtest.Options{TSIG: map[string]string{keyName: secret},
		Records: []string{"www.example.com. A 192.0.2.1", `example.com. CAA 0 issue "letsencrypt.org"`}},
		bindtest.Zone{Name: "example.com", Records: []string{"loop1 CNAME loop2", "loop2 CNAME loop1"}})
	r := ask(t, s.Addr(), "www.example.com", dns.TypeA)
	require.True(t, r.Authoritative)
	require.Len(t, r.Answer, 1)
	require.Len(t, ask(t, s.Addr(), "example.com", dns.TypeCAA).Answer, 1)
	require.Equal(t, dns.RcodeServerFailure, ask(t, s.Addr(), "loop1.example.com", dns.TypeA).Rcode, "BIND answers a CNAME loop SERVFAIL")

	txt := &dns.TXT{Hdr: dns.RR_Header{Name: "_acme-challenge.example.com.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{"v"}}
	for _, tc := range []struct {
		name  string
		sign  bool
		rcode int
	}{{"unsigned update is refused", false, dns.RcodeRefused}, {"signed update is applied", true, dns.RcodeSuccess}} {
		t.Run(tc.name, func(t *testing.T) {
			m := new(dns.Msg).SetUpdate("example.com.")
			m.Insert([]dns.RR{txt})
			c := &dns.Client{Timeout: time.Second}
			if tc.sign {
				m.SetTsig(keyName, dns.HmacSHA256, 300, time.Now().Unix())
				c.TsigSecret = map[string]string{keyName: secret}
			}
			r, _, err := c.Exchange(m, s.Addr())
			require.NoError(t, err)
			require.Equal(t, dns.RcodeToString[tc.rcode], dns.RcodeToString[r.Rcode])
		})
	}
	require.Len(t, ask(t, s.Addr(), "_acme-challenge.example.com", dns.TypeTXT).Answer, 1)
}

func TestSecondAddressSamePort(t *testing.T) {
	parent := bindtest.Start(t, bindtest.Options{}, bindtest.Zone{Name: "example.com",
		Records: []string{"child NS ns1.child", "ns1.child A 127.0.0.2"}})
	child := bindtest.Start(t, bindtest.Options{IP: "127.0.0.2", Port: parent.Port()},
		bindtest.Zone{Name: "child.example.com", Records: []string{"www A 192.0.2.7"}})
	require.Equal(t, "127.0.0.2:"+parent.Port(), child.Addr())
	ref := ask(t, parent.Addr(), "www.child.example.com", dns.TypeA)
	require.False(t, ref.Authoritative, "the parent refers")
	require.Len(t, ref.Ns, 1)
	r := ask(t, child.Addr(), "www.child.example.com", dns.TypeA)
	require.True(t, r.Authoritative)
	require.Len(t, r.Answer, 1)
	for _, network := range []string{"udp", "tcp"} {
		m := new(dns.Msg).SetQuestion("child.example.com.", dns.TypeSOA)
		r, _, err := (&dns.Client{Net: network, Timeout: time.Second}).Exchange(m, child.Addr())
		require.NoError(t, err, network)
		require.Len(t, r.Answer, 1, network)
	}
}
