package rfc2136_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider/dnsprovidertest"
	"github.com/certs-dev/certs/dnsprovider/rfc2136"
	"github.com/certs-dev/certs/internal/bindtest"
	"github.com/certs-dev/certs/internal/dnstest"
)

func start(t *testing.T) *dnstest.Server {
	t.Helper()
	return dnstest.Start(t, dnstest.Zone{Name: "example.com"}, dnstest.Zone{Name: "sub.example.com"})
}

func config(s *dnstest.Server) rfc2136.Config {
	return rfc2136.Config{
		Nameserver:  s.Addr(),
		TSIGKeyName: dnstest.DefaultTSIGKeyName,
		TSIGSecret:  dnstest.DefaultTSIGSecret,
		Timeout:     time.Second,
	}
}

// delegation delegates child.example.com to a server on 127.0.0.2.
var delegation = []string{"child.example.com. NS ns1.child.example.com.", "ns1.child.example.com. A 127.0.0.2"}

func TestConformance(t *testing.T) {
	tests := []struct {
		name   string
		zone   string
		domain string
		child  bool // the record's zone is delegated to a second server
	}{
		{"zone found by SOA", "", "www.example.com", false},
		{"zone found in a child zone", "", "www.sub.example.com", false},
		{"explicit zone", "example.com", "example.com", false},
		{"zone delegated to a second server is updated there", "", "www.child.example.com", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t)
			holder := s
			if tc.child {
				s.Add(delegation...)
				holder = dnstest.StartOptions(t, dnstest.Options{TSIG: map[string]string{dnstest.DefaultTSIGKeyName: dnstest.DefaultTSIGSecret},
					IP: "127.0.0.2", Port: s.Port()}, dnstest.Zone{Name: "child.example.com"})
			}
			cfg := config(s)
			cfg.Zone = tc.zone
			p, err := rfc2136.New(cfg)
			require.NoError(t, err)
			dnsprovidertest.Run(t, p, dnsprovidertest.Config{Nameserver: holder.Addr(), Domain: tc.domain})
			require.Positive(t, holder.Stats().Updates)
			if tc.child {
				require.Zero(t, s.Stats().Updates, "nothing is sent to the parent, where it would be hidden")
			}
		})
	}
}

// TestConformanceBIND runs the conformance suite against BIND 9 with
// TSIG-signed updates, including a child zone delegated to a second named.
func TestConformanceBIND(t *testing.T) {
	keys := map[string]string{dnstest.DefaultTSIGKeyName: dnstest.DefaultTSIGSecret}
	tests := []struct {
		name   string
		zone   string
		domain string
		child  bool
	}{
		{"zone found by SOA", "", "www.example.com", false},
		{"explicit zone", "example.com", "example.com", false},
		{"zone delegated to a second named is updated there", "", "www.child.example.com", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := bindtest.Start(t, bindtest.Options{TSIG: keys, Records: delegation}, bindtest.Zone{Name: "example.com"})
			holder := parent
			if tc.child {
				holder = bindtest.Start(t, bindtest.Options{TSIG: keys, IP: "127.0.0.2", Port: parent.Port()},
					bindtest.Zone{Name: "child.example.com"})
			}
			p, err := rfc2136.New(rfc2136.Config{Nameserver: parent.Addr(), TSIGKeyName: dnstest.DefaultTSIGKeyName,
				TSIGSecret: dnstest.DefaultTSIGSecret, Zone: tc.zone, Timeout: time.Second})
			require.NoError(t, err)
			dnsprovidertest.Run(t, p, dnsprovidertest.Config{Nameserver: holder.Addr(), Domain: tc.domain})
		})
	}
}

// TestDelegatedZoneErrors: when the child zone's primary refuses the
// update, the error names the child zone and its servers, against the
// loopback server and against BIND.
func TestDelegatedZoneErrors(t *testing.T) {
	keys := map[string]string{dnstest.DefaultTSIGKeyName: dnstest.DefaultTSIGSecret}
	other := map[string]string{"other-key.": "b3RoZXIta2V5LXNlY3JldC0zMi1ieXRlcy1sb25nIQ=="}
	servers := map[string]func(t *testing.T) (parent, child string){
		"loopback": func(t *testing.T) (string, string) {
			s := start(t)
			s.Add(delegation...)
			c := dnstest.StartOptions(t, dnstest.Options{TSIG: other, IP: "127.0.0.2", Port: s.Port()}, dnstest.Zone{Name: "child.example.com"})
			return s.Addr(), c.Addr()
		},
		"bind9": func(t *testing.T) (string, string) {
			s := bindtest.Start(t, bindtest.Options{TSIG: keys, Records: delegation}, bindtest.Zone{Name: "example.com"})
			c := bindtest.Start(t, bindtest.Options{TSIG: other, IP: "127.0.0.2", Port: s.Port()}, bindtest.Zone{Name: "child.example.com"})
			return s.Addr(), c.Addr()
		},
	}
	for name, startServers := range servers {
		t.Run(name, func(t *testing.T) {
			parent, child := startServers(t)
			p, err := rfc2136.New(rfc2136.Config{Nameserver: parent, TSIGKeyName: dnstest.DefaultTSIGKeyName,
				TSIGSecret: dnstest.DefaultTSIGSecret, Timeout: time.Second})
			require.NoError(t, err)
			err = p.Present(context.Background(), certs.DNSRecord{Domain: "www.child.example.com", Value: "v"})
			require.ErrorIs(t, err, rfc2136.ErrDelegated)
			require.ErrorIs(t, err, rfc2136.ErrBadTSIG, "the child's primary does not know the key")
			var de *rfc2136.DelegationError
			require.ErrorAs(t, err, &de)
			require.Equal(t, "child.example.com", de.Zone)
			require.Equal(t, []string{"ns1.child.example.com"}, de.NS)
			require.Equal(t, []string{child}, de.Servers)
			require.Contains(t, err.Error(), "zone child.example.com, delegated to ns1.child.example.com ("+child+")")
			require.NotContains(t, err.Error(), dnstest.DefaultTSIGSecret)
		})
	}
}

func TestCleanUpRemovesOnlyItsValue(t *testing.T) {
	s := start(t)
	s.Add(`_acme-challenge.example.com. 60 IN TXT "someone-else"`)
	p, err := rfc2136.New(config(s))
	require.NoError(t, err)
	rec := dnsprovidertest.NewRecord(dnsprovidertest.Config{Domain: "example.com"})
	require.NoError(t, p.Present(context.Background(), rec))
	require.Len(t, s.Records("_acme-challenge.example.com", dns.TypeTXT), 2)
	require.NoError(t, p.CleanUp(context.Background(), rec))
	left := s.Records("_acme-challenge.example.com", dns.TypeTXT)
	require.Len(t, left, 1)
	require.Equal(t, []string{"someone-else"}, left[0].(*dns.TXT).Txt)
}

func TestUpdateErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*rfc2136.Config)
		domain string
		want   error
		msg    string
	}{
		{"wrong TSIG secret", func(c *rfc2136.Config) { c.TSIGSecret = "d3JvbmctYnV0LXZhbGlkLWJhc2U2NA==" }, "example.com",
			rfc2136.ErrBadTSIG, "(NOTAUTH, TSIG BADSIG)"},
		{"unknown TSIG key", func(c *rfc2136.Config) { c.TSIGKeyName = "other-key" }, "example.com",
			rfc2136.ErrBadTSIG, "(NOTAUTH, TSIG BADKEY)"},
		{"unsigned update", func(c *rfc2136.Config) { c.TSIGKeyName, c.TSIGSecret = "", "" }, "example.com",
			rfc2136.ErrRefused, "(REFUSED)"},
		{"zone not served", func(c *rfc2136.Config) { c.Zone = "example.org" }, "example.org",
			rfc2136.ErrNotAuth, "(NOTAUTH)"},
		{"record outside the zone", func(c *rfc2136.Config) { c.Zone = "sub.example.com" }, "example.com",
			rfc2136.ErrNotZone, "(NOTZONE)"},
		{"no zone for the record", func(c *rfc2136.Config) {}, "example.org", rfc2136.ErrZoneNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t)
			cfg := config(s)
			tc.mutate(&cfg)
			p, err := rfc2136.New(cfg)
			require.NoError(t, err)
			rec := dnsprovidertest.NewRecord(dnsprovidertest.Config{Domain: tc.domain})
			err = p.Present(context.Background(), rec)
			require.ErrorIs(t, err, tc.want)
			require.Contains(t, err.Error(), tc.msg)
			if cfg.TSIGSecret != "" {
				require.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), cfg.TSIGSecret)
			}
			require.Empty(t, s.Records(rec.FQDN, dns.TypeTXT))
		})
	}
}

func TestDoneContextDoesNotWait(t *testing.T) {
	s := start(t)
	// The server never answers for the record's name, so finding the zone
	// hangs: Present must give up with ctx, not after the 10 s timeout.
	s.SetFault("_acme-challenge.example.com", dnstest.Timeout)
	cfg := config(s)
	cfg.Timeout = 10 * time.Second
	p, err := rfc2136.New(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = p.Present(ctx, certs.DNSRecord{Domain: "example.com", Value: "v"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  rfc2136.Config
		ok   bool
	}{
		{"complete", rfc2136.Config{Nameserver: "ns1.example.com", TSIGKeyName: "k", TSIGSecret: "c2VjcmV0"}, true},
		{"unsigned", rfc2136.Config{Nameserver: "192.0.2.1:5353"}, true},
		{"other algorithm", rfc2136.Config{Nameserver: "ns", TSIGKeyName: "k", TSIGSecret: "c2VjcmV0", TSIGAlgorithm: "hmac-sha512"}, true},
		{"no nameserver", rfc2136.Config{TSIGKeyName: "k", TSIGSecret: "c2VjcmV0"}, false},
		{"key without secret", rfc2136.Config{Nameserver: "ns", TSIGKeyName: "k"}, false},
		{"secret not base64", rfc2136.Config{Nameserver: "ns", TSIGKeyName: "k", TSIGSecret: "not base64!"}, false},
		{"unknown algorithm", rfc2136.Config{Nameserver: "ns", TSIGKeyName: "k", TSIGSecret: "c2VjcmV0", TSIGAlgorithm: "hmac-md4"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rfc2136.New(tc.cfg)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, rfc2136.ErrConfig)
			require.NotContains(t, err.Error(), "not base64!")
		})
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	const secret = "c3VwZXItc2VjcmV0LXRzaWcta2V5"
	cfg := rfc2136.Config{Nameserver: "ns1.example.com:53", TSIGKeyName: "k.", TSIGSecret: secret}
	p, err := rfc2136.New(cfg)
	require.NoError(t, err)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg, "provider", p)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg, "provider", p)
	data, err := json.Marshal(cfg)
	require.NoError(t, err)
	for _, out := range []string{
		fmt.Sprintf("%v %+v %#v %s %x %d %q", cfg, cfg, cfg, cfg, cfg, cfg, cfg),
		fmt.Sprintf("%v %+v %#v %s %x %d %q", p, p, p, p, p, p, p),
		fmt.Sprintf("%v %+v", &cfg, &cfg), string(data), logs.String(),
	} {
		require.NotContains(t, out, secret)
		require.NotContains(t, out, fmt.Sprintf("%x", secret))
	}
	require.Contains(t, cfg.String(), "TSIGSecret: <redacted>")
}
