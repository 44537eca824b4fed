package pebbletest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/pebbletest"
)

func TestStartServesDirectory(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := pebbletest.Start(t, pebbletest.Options{RequireEAB: true})
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.DirectoryURL, nil)
			require.NoError(t, err)
			req.Header.Set("User-Agent", "test")
			resp, err := srv.HTTPClient().Do(req)
			require.NoError(t, err)
			defer func() { _ = resp.Body.Close() }()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			var dir struct {
				NewOrder string `json:"newOrder"`
				Meta     struct {
					Profiles                map[string]string `json:"profiles"`
					ExternalAccountRequired bool              `json:"externalAccountRequired"`
				} `json:"meta"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&dir))
			require.NotEmpty(t, dir.NewOrder)
			require.Contains(t, dir.Meta.Profiles, "shortlived")
			require.True(t, dir.Meta.ExternalAccountRequired)
			require.NotEmpty(t, srv.IssuerRootCerts)
			require.NotZero(t, srv.HTTPPort)
			require.NotEqual(t, srv.HTTPPort, srv.TLSPort)
		})
	}
}

func TestDNSAnswers(t *testing.T) {
	t.Parallel()
	srv := pebbletest.Start(t, pebbletest.Options{})
	name := pebbletest.UniqueDomain("")
	query := func(qname string, qtype uint16) []dns.RR {
		t.Helper()
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(qname), qtype)
		for _, network := range []string{"udp", "tcp"} {
			c := &dns.Client{Net: network, Timeout: 5 * time.Second}
			r, _, err := c.Exchange(m, srv.DNSAddr)
			require.NoError(t, err, network)
			if network == "tcp" {
				return r.Answer
			}
		}
		return nil
	}

	a := query(name, dns.TypeA)
	require.Len(t, a, 1)
	require.Equal(t, "127.0.0.1", a[0].(*dns.A).A.String())
	require.Empty(t, query(name, dns.TypeAAAA))

	srv.AddTXT("_acme-challenge."+name, "one")
	srv.AddTXT("_acme-challenge."+name, "two")
	srv.RemoveTXT("_acme-challenge."+name, "one")
	require.Equal(t, []string{"two"}, srv.TXT("_acme-challenge."+name))
	txt := query("_acme-challenge."+name, dns.TypeTXT)
	require.Len(t, txt, 1)
	require.Equal(t, []string{"two"}, txt[0].(*dns.TXT).Txt)
	srv.ClearTXT("_acme-challenge." + name)
	require.Empty(t, query("_acme-challenge."+name, dns.TypeTXT))

	srv.AddCNAME("_acme-challenge."+name, "target."+name)
	srv.AddTXT("target."+name, "v")
	t.Cleanup(func() { srv.ClearCNAME("_acme-challenge." + name); srv.ClearTXT("target." + name) })
	rrs := query("_acme-challenge."+name, dns.TypeTXT)
	require.Len(t, rrs, 2)
	require.IsType(t, &dns.CNAME{}, rrs[0])
}
