package acme

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// fakeDNS is a loopback DNS server answering from maps, as a recursive
// resolver and as the authoritative server of zone.test.
type fakeDNS struct {
	addr string
	port string

	mu      sync.Mutex
	txt     map[string][]string
	cname   map[string]string
	noRD    int // TXT queries received without recursion desired
	queries int
}

func startFakeDNS(t *testing.T) *fakeDNS {
	t.Helper()
	f := &fakeDNS{txt: map[string][]string{}, cname: map[string]string{}}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(f.serve), NotifyStartedFunc: func() { close(started) }}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	f.addr = pc.LocalAddr().String()
	_, f.port, _ = net.SplitHostPort(f.addr)
	return f
}

func (f *fakeDNS) serve(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	q := r.Question[0]
	name := strings.ToLower(q.Name)
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 60}
	}
	soa := &dns.SOA{Hdr: dns.RR_Header{Name: "zone.test.", Rrtype: dns.TypeSOA, Class: dns.ClassINET},
		Ns: "ns1.zone.test.", Mbox: "admin.zone.test.", Serial: 1, Refresh: 60, Retry: 60, Expire: 60, Minttl: 60}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries++
	switch {
	case q.Qtype == dns.TypeCNAME && f.cname[name] != "":
		m.Answer = append(m.Answer, &dns.CNAME{Hdr: hdr(dns.TypeCNAME), Target: f.cname[name]})
	case q.Qtype == dns.TypeTXT:
		if !r.RecursionDesired {
			f.noRD++
		}
		for _, v := range f.txt[name] {
			m.Answer = append(m.Answer, &dns.TXT{Hdr: hdr(dns.TypeTXT), Txt: []string{v}})
		}
	case q.Qtype == dns.TypeSOA && name == "zone.test.":
		m.Answer = append(m.Answer, soa)
	case q.Qtype == dns.TypeSOA && strings.HasSuffix(name, ".zone.test."):
		m.Ns = append(m.Ns, soa) // NODATA: the zone's SOA in the authority section
	case q.Qtype == dns.TypeNS && name == "zone.test.":
		m.Answer = append(m.Answer, &dns.NS{Hdr: hdr(dns.TypeNS), Ns: "ns1.zone.test."})
	case q.Qtype == dns.TypeA && name == "ns1.zone.test.":
		m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: net.IPv4(127, 0, 0, 1)})
	case q.Qtype == dns.TypeSOA || q.Qtype == dns.TypeNS:
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

func (f *fakeDNS) set(fn func(f *fakeDNS)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func TestChallengeFQDN(t *testing.T) {
	t.Parallel()
	f := startFakeDNS(t)
	f.set(func(f *fakeDNS) {
		f.cname["_acme-challenge.one.test."] = "one.acme.other.test."
		f.cname["_acme-challenge.two.test."] = "hop.test."
		f.cname["hop.test."] = "final.other.test."
		f.cname["_acme-challenge.loop.test."] = "back.test."
		f.cname["back.test."] = "_acme-challenge.loop.test."
		f.cname["_acme-challenge.long.test."] = "l0.test."
		for i := range 10 {
			f.cname[fmt.Sprintf("l%d.test.", i)] = fmt.Sprintf("l%d.test.", i+1)
		}
	})
	d := &dnsChecker{resolvers: []string{f.addr}, nsPort: "53"}
	tests := []struct {
		domain, want, err string
	}{
		{domain: "plain.test", want: "_acme-challenge.plain.test."},
		{domain: "one.test", want: "one.acme.other.test."},
		{domain: "two.test", want: "final.other.test."},
		{domain: "loop.test", err: "CNAME loop"},
		{domain: "long.test", err: "more than 8 CNAMEs"},
	}
	for _, tc := range tests {
		got, err := d.challengeFQDN(t.Context(), tc.domain)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.domain)
			continue
		}
		require.NoError(t, err, tc.domain)
		require.Equal(t, tc.want, got, tc.domain)
	}

	unreachable := &dnsChecker{resolvers: []string{"127.0.0.1:1"}}
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, err := unreachable.challengeFQDN(ctx, "x.test")
	require.ErrorContains(t, err, "look up CNAME")

	none := &dnsChecker{}
	_, err = none.challengeFQDN(t.Context(), "x.test")
	require.ErrorContains(t, err, "Config.DNSResolvers")
}

func TestHasTXTAuthoritative(t *testing.T) {
	t.Parallel()
	f := startFakeDNS(t)
	// No configured resolvers: the system resolver (f) finds the zone and
	// its name server (f again, on its port), which is asked without RD.
	d := &dnsChecker{system: []string{f.addr}, nsPort: f.port}
	ctx := t.Context()
	fqdn := "_acme-challenge.www.zone.test."

	err := d.hasTXT(ctx, fqdn, "v1")
	require.ErrorContains(t, err, "does not serve the value")
	f.set(func(f *fakeDNS) { f.txt[fqdn] = []string{"other", "v1"} })
	require.NoError(t, d.hasTXT(ctx, fqdn, "v1"))
	f.set(func(f *fakeDNS) { require.NotZero(t, f.noRD, "authoritative servers are asked without recursion") })

	err = d.hasTXT(ctx, "_acme-challenge.www.nozone.test.", "v1")
	require.ErrorContains(t, err, "SOA")
}

func TestHasTXTResolvers(t *testing.T) {
	t.Parallel()
	f1, f2 := startFakeDNS(t), startFakeDNS(t)
	d := &dnsChecker{resolvers: []string{f1.addr, f2.addr}}
	fqdn := "_acme-challenge.a.test."
	f1.set(func(f *fakeDNS) { f.txt[fqdn] = []string{"v"} })
	require.ErrorContains(t, d.hasTXT(t.Context(), fqdn, "v"), f2.addr, "every resolver must serve it")
	f2.set(func(f *fakeDNS) { f.txt[fqdn] = []string{"v"} })
	require.NoError(t, d.hasTXT(t.Context(), fqdn, "v"))
}
