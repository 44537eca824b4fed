package validate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/validate"
)

// TestCheckAsksAuthoritativeServers serves stale data on the resolver and
// fresh data on the authoritative server: Check must report the fresh.
func TestCheckAsksAuthoritativeServers(t *testing.T) {
	auth := startDNS(t, dnsJoin(dnsGoodA, dnsGoodACME, dnsGoodOwner, dnsGoodCAA)...)
	resolver := dnstest.Start(t, dnstest.Zone{Name: "example.com", Records: []string{"www A 198.51.100.7"}})
	opts := dnsCheckOptions(auth)
	opts.Resolvers = []string{resolver.Addr()}
	rep, err := validate.Check(context.Background(), "www.example.com", validate.Requirements("www.example.com", dnsPlatform), opts)
	require.NoError(t, err)
	require.Equal(t, dnsRecords(dnsWithAll(dnsWWWAddrs)), rep.Records)
	require.Empty(t, rep.ValidationErrors)
	require.Positive(t, auth.Stats().UDP)
}

func TestCheckGuessesProvider(t *testing.T) {
	s := startDNS(t, dnsGoodA...)
	s.AddZone(dnstest.Zone{Name: "cloudflare.com", Records: []string{"ada.ns A 127.0.0.1", "bob.ns A 127.0.0.1"}})
	s.Remove("example.com", dns.TypeNS)
	s.Add("example.com. NS ada.ns.cloudflare.com.", "example.com. NS bob.ns.cloudflare.com.")
	rep, err := validate.Check(context.Background(), "www.example.com", validate.Requirements("www.example.com", dnsPlatform), dnsCheckOptions(s))
	require.NoError(t, err)
	require.Equal(t, "cloudflare", rep.DNSProvider)
	require.Equal(t, []string{"ada.ns.cloudflare.com", "bob.ns.cloudflare.com"}, rep.Records.NS)
	require.Equal(t, "ns1.example.com", rep.Records.SOA)
	require.True(t, rep.HTTPConfigured)
}

func TestCheckFailsOnlyWhenItCannotCheck(t *testing.T) {
	s := startDNS(t)
	req := validate.Requirements("www.example.com", dnsPlatform)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		host string
		opts validate.CheckOptions
		want error
	}{
		{"no resolvers", context.Background(), "www.example.com", validate.CheckOptions{}, validate.ErrNoResolvers},
		{"context done", cancelled, "www.example.com", dnsCheckOptions(s), context.Canceled},
		{"invalid hostname", context.Background(), "bad..name", dnsCheckOptions(s), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := validate.Check(tc.ctx, tc.host, req, tc.opts)
			require.Nil(t, rep)
			require.Error(t, err)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			}
		})
	}
}

// TestCheckHonoursContext: a check against a server that never answers
// returns as soon as the context ends, not after the per-query timeouts.
func TestCheckHonoursContext(t *testing.T) {
	s := startDNS(t, dnsGoodA...)
	s.SetFault("www.example.com", dnstest.Timeout)
	opts := dnsCheckOptions(s)
	opts.Timeout = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := validate.Check(ctx, "www.example.com", validate.Requirements("www.example.com", dnsPlatform), opts)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestCheckMany(t *testing.T) {
	var recs []string
	var hosts []string
	for i := range 50 {
		h := fmt.Sprintf("h%02d.example.com", i)
		hosts = append(hosts, h)
		if i%2 == 0 {
			recs = append(recs, h+". CNAME app.platform.net.")
		}
	}
	s := startDNS(t, recs...)
	reqFor := func(h string) validate.DNSRequirements { return validate.Requirements(h, dnsPlatform) }
	reports, err := validate.CheckMany(context.Background(), append(hosts, "bad..name"), reqFor, dnsCheckOptions(s), 4)
	require.Error(t, err, "the invalid name is reported")
	require.Len(t, reports, 50)
	for i, h := range hosts {
		require.Equal(t, i%2 == 0, reports[h].HTTPConfigured, h)
	}

	_, err = validate.CheckMany(context.Background(), hosts, reqFor, validate.CheckOptions{}, 4)
	require.ErrorIs(t, err, validate.ErrNoResolvers)
}

func TestDNSReportJSON(t *testing.T) {
	s := startDNS(t, dnsJoin(dnsGoodA, dnsGoodACME, dnsGoodOwner, dnsGoodCAA)...)
	rep, err := validate.Check(context.Background(), "www.example.com", validate.Requirements("www.example.com", dnsPlatform), dnsCheckOptions(s))
	require.NoError(t, err)
	data, err := json.Marshal(rep)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	for _, k := range []string{"hostname", "dns_provider", "dns_configured", "http_configured", "alpn_configured",
		"acme_dns_configured", "ownership_txt_configured", "caa_permits", "validation_errors", "dns_records"} {
		require.Contains(t, m, k)
	}
	records := m["dns_records"].(map[string]any)
	for _, k := range []string{"a", "aaaa", "cname", "resolved_addresses", "soa", "acme_challenge_cname", "ownership_txt", "caa"} {
		require.Contains(t, records, k)
	}
	require.Equal(t, []any{}, m["validation_errors"])
}

func TestRequirements(t *testing.T) {
	tests := []struct {
		name string
		host string
		cfg  validate.RequirementsConfig
		want validate.DNSRequirements
	}{{
		name: "full dnsPlatform config",
		host: "WWW.Example.com.",
		cfg:  dnsPlatform,
		want: validate.DNSRequirements{A: []string{"203.0.113.10"}, AAAA: []string{"2001:db8::10"}, CNAME: "app.platform.net",
			ACMEChallenge: validate.ACMEChallengeRequirement{Name: "_acme-challenge.www.example.com", Target: "www.example.com.abc123.platform-dns.net"},
			Ownership:     validate.OwnershipRequirement{Name: "_certs-ownership.www.example.com", Values: []string{"app-123", "org-456"}}},
	}, {
		name: "wildcard uses the base name",
		host: "*.example.com",
		cfg:  validate.RequirementsConfig{ACMEChallengeZone: "z.example.net.", OwnershipPrefix: "_verify", OwnershipValues: []string{"v"}},
		want: validate.DNSRequirements{A: []string{}, AAAA: []string{},
			ACMEChallenge: validate.ACMEChallengeRequirement{Name: "_acme-challenge.example.com", Target: "example.com.z.example.net"},
			Ownership:     validate.OwnershipRequirement{Name: "_verify.example.com", Values: []string{"v"}}},
	}, {
		name: "no delegation and no ownership",
		host: "example.com",
		want: validate.DNSRequirements{A: []string{}, AAAA: []string{},
			ACMEChallenge: validate.ACMEChallengeRequirement{Name: "_acme-challenge.example.com"}},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, validate.Requirements(tc.host, tc.cfg))
		})
	}
}

func TestGuessDNSProvider(t *testing.T) {
	tests := []struct{ ns, want string }{
		{"ada.ns.cloudflare.com.", "cloudflare"},
		{"ns-1234.awsdns-12.org", "route53"},
		{"ns-cloud-a1.googledomains.com", "google"},
		{"ns1.digitalocean.com", "digitalocean"},
		{"ns51.domaincontrol.com", "godaddy"},
		{"ns1.dnsimple.com", "dnsimple"},
		{"dns1.registrar-servers.com", "namecheap"},
		{"ns-123-a.gandi.net", "gandi"},
		{"dns200.anycast.me.ovh.net", "ovh"},
		{"hydrogen.ns.hetzner.com", "hetzner"},
		{"ns1.linode.com", "linode"},
		{"ns1.vercel-dns.com", "vercel"},
		{"dns1.p01.netlify.com", "netlify"},
		{"ns1-01.azure-dns.com", "azure"},
		{"dns1.name-services.com", "enom"},
		{"ns1.example.com", ""},
		{"cloudflare.com.evil.example", ""},
	}
	for _, tc := range tests {
		t.Run(tc.ns, func(t *testing.T) {
			require.Equal(t, tc.want, validate.GuessDNSProvider([]string{tc.ns}))
		})
	}
}
