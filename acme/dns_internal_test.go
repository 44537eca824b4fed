package acme

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/bindtest"
	"github.com/certs-dev/certs/internal/dnstest"
)

// testAccountURI is the account of the dns-account-01 rows of
// TestChallengeFQDN.
const testAccountURI = "https://ca.test/acme/acct/1"

// chainRecords are the _acme-challenge CNAME chains of TestChallengeFQDN.
func chainRecords() []string {
	recs := []string{
		"_" + accountLabel(testAccountURI) + "._acme-challenge.scoped CNAME scoped.acme.other.test.",
		"_acme-challenge.one CNAME one.acme.other.test.",
		"_acme-challenge.two CNAME hop",
		"hop CNAME final.other.test.",
		"_acme-challenge.loop CNAME back",
		"back CNAME _acme-challenge.loop",
		"_acme-challenge.long CNAME l0",
	}
	for i := range 10 {
		recs = append(recs, fmt.Sprintf("l%d CNAME l%d", i, i+1))
	}
	return recs
}

// TestChallengeFQDN follows _acme-challenge CNAMEs with the shared
// resolver: through Config.DNSResolvers alone, and at the authoritative
// servers found through the system's resolvers, against the loopback
// server (answering loops NOERROR, and SERVFAIL as BIND does) and BIND.
func TestChallengeFQDN(t *testing.T) {
	t.Parallel()
	zones := []dnstest.Zone{{Name: "test", Records: chainRecords()}, {Name: "other.test"}}
	servers := map[string]func(t *testing.T) (addr, port string){
		"loopback": func(t *testing.T) (string, string) {
			s := dnstest.Start(t, zones...)
			return s.Addr(), s.Port()
		},
		"loopback, loops SERVFAIL": func(t *testing.T) (string, string) {
			s := dnstest.StartOptions(t, dnstest.Options{ServFailLoops: true}, zones...)
			return s.Addr(), s.Port()
		},
		"bind9": func(t *testing.T) (string, string) {
			s := bindtest.Start(t, bindtest.Options{}, bindtest.Zone{Name: "test", Records: chainRecords()}, bindtest.Zone{Name: "other.test"})
			return s.Addr(), s.Port()
		},
	}
	tests := []struct {
		domain, want, err string
		challenge         certs.ChallengeType // dns-01 when empty
	}{
		{domain: "plain.test", want: "_acme-challenge.plain.test."},
		{domain: "plain.test", challenge: certs.ChallengeDNSAccount01,
			want: "_" + accountLabel(testAccountURI) + "._acme-challenge.plain.test."},
		{domain: "scoped.test", challenge: certs.ChallengeDNSAccount01, want: "scoped.acme.other.test."},
		{domain: "scoped.test", want: "_acme-challenge.scoped.test."},
		{domain: "one.test", want: "one.acme.other.test."},
		{domain: "two.test", want: "final.other.test."},
		{domain: "loop.test", err: "CNAME loop"},
		{domain: "long.test", err: "more than 8 CNAMEs"},
	}
	for name, start := range servers {
		t.Run(name, func(t *testing.T) {
			addr, port := start(t)
			for mode, d := range map[string]*dnsChecker{
				"resolvers only": buildDNSChecker([]string{addr}, nil, ""),
				"authoritative":  buildDNSChecker(nil, []string{addr}, port),
			} {
				for _, tc := range tests {
					got, err := d.challengeFQDN(t.Context(), challengeName(tc.challenge, testAccountURI, tc.domain))
					if tc.err != "" {
						require.ErrorContains(t, err, tc.err, "%s %s", mode, tc.domain)
						continue
					}
					require.NoError(t, err, "%s %s", mode, tc.domain)
					require.Equal(t, tc.want, got, "%s %s", mode, tc.domain)
				}
			}
		})
	}
}

func TestChallengeFQDNWithoutResolvers(t *testing.T) {
	t.Parallel()
	unreachable := buildDNSChecker([]string{"127.0.0.1:1"}, nil, "")
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	_, err := unreachable.challengeFQDN(ctx, "x.test")
	require.ErrorContains(t, err, "look up CNAME")

	none := buildDNSChecker(nil, nil, "")
	_, err = none.challengeFQDN(t.Context(), "x.test")
	require.ErrorContains(t, err, "Config.DNSResolvers")
	require.ErrorContains(t, none.hasTXT(t.Context(), "_acme-challenge.x.test.", "v"), "Config.DNSResolvers")
}

// TestHasTXTAuthoritative checks propagation at the authoritative servers
// of the record's zone, found through the system's resolvers: those of a
// child zone that the parent delegates to a second server, not the
// parent's (which would answer with a referral).
func TestHasTXTAuthoritative(t *testing.T) {
	t.Parallel()
	delegation := []string{"child NS ns1.child", "ns1.child A 127.0.0.2"}
	type servers struct {
		resolver, port string
		add            func(fqdn, value string) // on the child zone's server
	}
	backends := map[string]func(t *testing.T) servers{
		"loopback": func(t *testing.T) servers {
			s := dnstest.Start(t, dnstest.Zone{Name: "zone.test", Records: delegation})
			c := dnstest.StartOptions(t, dnstest.Options{IP: "127.0.0.2", Port: s.Port()}, dnstest.Zone{Name: "child.zone.test"})
			return servers{s.Addr(), s.Port(), func(fqdn, v string) { c.Add(fqdn + ` TXT "` + v + `"`) }}
		},
		"bind9": func(t *testing.T) servers {
			key := map[string]string{dnstest.DefaultTSIGKeyName: dnstest.DefaultTSIGSecret}
			s := bindtest.Start(t, bindtest.Options{}, bindtest.Zone{Name: "zone.test", Records: delegation})
			c := bindtest.Start(t, bindtest.Options{IP: "127.0.0.2", Port: s.Port(), TSIG: key}, bindtest.Zone{Name: "child.zone.test"})
			return servers{s.Addr(), s.Port(), func(fqdn, v string) { bindUpdate(t, c.Addr(), fqdn, v) }}
		},
	}
	for name, start := range backends {
		t.Run(name, func(t *testing.T) {
			srv := start(t)
			d := buildDNSChecker(nil, []string{srv.resolver}, srv.port)
			fqdn := "_acme-challenge.www.child.zone.test."
			require.ErrorContains(t, d.hasTXT(t.Context(), fqdn, "v1"), "does not serve the value")
			srv.add(fqdn, "other")
			srv.add(fqdn, "v1")
			require.NoError(t, d.hasTXT(t.Context(), fqdn, "v1"))
			require.ErrorContains(t, d.hasTXT(t.Context(), "_acme-challenge.www.nozone.test.", "v1"), "zone")
		})
	}
}

func TestHasTXTResolvers(t *testing.T) {
	t.Parallel()
	f1, f2 := dnstest.Start(t, dnstest.Zone{Name: "test"}), dnstest.Start(t, dnstest.Zone{Name: "test"})
	d := buildDNSChecker([]string{f1.Addr(), f2.Addr()}, nil, "")
	fqdn := "_acme-challenge.a.test."
	f1.Add(fqdn + ` TXT "v"`)
	require.ErrorContains(t, d.hasTXT(t.Context(), fqdn, "v"), f2.Addr(), "every resolver must serve it")
	f2.Add(fqdn + ` TXT "v"`)
	require.NoError(t, d.hasTXT(t.Context(), fqdn, "v"))
}

// bindUpdate adds a TXT record at a BIND server with a signed update.
func bindUpdate(t *testing.T, addr, fqdn, value string) {
	t.Helper()
	zone := fqdn[len("_acme-challenge.www."):]
	m := new(dns.Msg).SetUpdate(zone)
	m.Insert([]dns.RR{&dns.TXT{Hdr: dns.RR_Header{Name: fqdn, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{value}}})
	m.SetTsig(dnstest.DefaultTSIGKeyName, dns.HmacSHA256, 300, time.Now().Unix())
	c := &dns.Client{Timeout: time.Second, TsigSecret: map[string]string{dnstest.DefaultTSIGKeyName: dnstest.DefaultTSIGSecret}}
	r, _, err := c.Exchange(m, addr)
	require.NoError(t, err)
	require.Equal(t, dns.RcodeSuccess, r.Rcode)
}
