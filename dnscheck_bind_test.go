package certs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/bindtest"
	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
)

// dnsBindPlatform is where the hostnames of these tests must point.
var dnsBindPlatform = validate.RequirementsConfig{A: []string{"203.0.113.10"}, CNAME: "edge.platform.net"}

// dnsBindServer serves example.com (with records), a child zone
// child.example.com delegated to a second server on 127.0.0.2 (with
// child), and platform.net; it returns the parent's address and port.
type dnsBindServer func(t *testing.T, records, child []string) (addr, port string)

// dnsBindServers are the loopback server (answering CNAME loops SERVFAIL,
// as BIND does) and BIND 9.
func dnsBindServers() map[string]dnsBindServer {
	delegation := []string{"child.example.com. NS ns1.child.example.com.", "ns1.child.example.com. A 127.0.0.2"}
	platform := []string{"edge A 203.0.113.10"}
	return map[string]dnsBindServer{
		"loopback": func(t *testing.T, records, child []string) (string, string) {
			s := dnstest.StartOptions(t, dnstest.Options{ServFailLoops: true},
				dnstest.Zone{Name: "example.com"}, dnstest.Zone{Name: "platform.net", Records: platform})
			s.Add(append(records, delegation...)...)
			dnstest.StartOptions(t, dnstest.Options{IP: "127.0.0.2", Port: s.Port()}, dnstest.Zone{Name: "child.example.com", Records: child})
			return s.Addr(), s.Port()
		},
		"bind9": func(t *testing.T, records, child []string) (string, string) {
			s := bindtest.Start(t, bindtest.Options{Records: append(records, delegation...)},
				bindtest.Zone{Name: "example.com"}, bindtest.Zone{Name: "platform.net", Records: platform})
			bindtest.Start(t, bindtest.Options{IP: "127.0.0.2", Port: s.Port()}, bindtest.Zone{Name: "child.example.com", Records: child})
			return s.Addr(), s.Port()
		},
	}
}

// dnsBindManager is a Manager holding a custom certificate for each of
// hosts, whose DNS checks ask addr.
func dnsBindManager(t *testing.T, dnsCfg DNSConfig, iss Issuer, hosts ...string) *Manager {
	t.Helper()
	dnsCfg.RequirementsConfig = dnsBindPlatform
	if dnsCfg.Timeout == 0 {
		dnsCfg.Timeout = 2 * time.Second // generous: loopback answers at once, even on a loaded machine
	}
	m, err := New(Config{Store: store.NewMemory(), Issuer: iss, DNS: dnsCfg,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ca := testpki.NewCA(t)
	for _, h := range hosts {
		l := ca.Leaf(t, []string{h}, testpki.LeafOptions{})
		_, err := m.Import(context.Background(), h, Input{Certificate: l.ChainPEM(), PrivateKey: l.KeyPEM()}, ImportOptions{})
		require.NoError(t, err)
	}
	return m
}

// TestCheckAgainstBIND: Manager.Check reports a CNAME loop as cname_loop
// (BIND answers it SERVFAIL) with the zone found, and finds the records
// of a child zone on the server it is delegated to, against BIND and the
// loopback server.
func TestCheckAgainstBIND(t *testing.T) {
	records := []string{"loop.example.com. CNAME back.example.com.", "back.example.com. CNAME loop.example.com.",
		"www.child.example.com. A 198.51.100.1"} // hidden below the delegation
	child := []string{"www CNAME edge.platform.net."}
	for name, start := range dnsBindServers() {
		t.Run(name, func(t *testing.T) {
			addr, port := start(t, records, child)
			m := dnsBindManager(t, DNSConfig{Resolvers: []string{addr}, NameserverPort: port}, nil,
				"loop.example.com", "www.child.example.com")
			res, err := m.Check(context.Background(), "loop.example.com")
			require.NoError(t, err)
			require.Equal(t, "example.com", res.DNS.Records.Zone)
			require.NotEmpty(t, res.Host.LastCheck.ValidationErrors)
			for _, e := range res.Host.LastCheck.ValidationErrors {
				require.Equal(t, validate.DNSCodeCNAMELoop, e.Code, e.Message)
			}
			require.ErrorIs(t, res.DNS.Err(), validate.ErrCNAMELoop)

			res, err = m.Check(context.Background(), "www.child.example.com")
			require.NoError(t, err)
			require.Equal(t, "child.example.com", res.DNS.Records.Zone)
			require.True(t, res.DNS.HTTPConfigured, "%v", res.DNS.ValidationErrors)
			require.Equal(t, []string{"edge.platform.net"}, res.DNS.Records.CNAME)
		})
	}
}

// TestCheckReadsResolvConfOnce: without Config.DNS.Resolvers the Manager
// reads the system's resolvers at its first Check and keeps them; a read
// that failed is tried again.
func TestCheckReadsResolvConfOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resolv.conf")
	m := dnsBindManager(t, DNSConfig{resolvConf: path, Timeout: 100 * time.Millisecond}, nil, "shop.example.com")
	ctx := context.Background()
	_, err := m.Check(ctx, "shop.example.com")
	require.ErrorIs(t, err, ErrNoResolvers, "no file yet")

	require.NoError(t, os.WriteFile(path, []byte("nameserver 127.0.0.1\n"), 0o600))
	_, err = m.Check(ctx, "shop.example.com")
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	_, err = m.Check(ctx, "shop.example.com")
	require.NoError(t, err, "the resolvers read before are kept")
	_, _, err = m.CheckMany(ctx, []string{"shop.example.com"}, 1)
	require.NoError(t, err)
}

// caaIssuer is an Issuer that knows its CA's CAA identities.
type caaIssuer struct {
	Issuer
	ids   []string
	err   error
	calls atomic.Int64
}

func (c *caaIssuer) CAAIdentities(context.Context) ([]string, error) {
	c.calls.Add(1)
	return c.ids, c.err
}

// TestCheckCAAIdentities: CAA is checked against Config.DNS.CAIdentities,
// else the issuer's CAA identities, else letsencrypt.org (also when the
// issuer cannot tell).
func TestCheckCAAIdentities(t *testing.T) {
	s := dnstest.Start(t, dnstest.Zone{Name: "example.com", Records: []string{"shop A 203.0.113.10", `@ CAA 0 issue "sectigo.com"`}})
	tests := []struct {
		name       string
		configured []string
		issuer     *caaIssuer
		permitted  []string
		asked      int64
	}{
		{"the issuer's identities", nil, &caaIssuer{ids: []string{"sectigo.com"}}, []string{"sectigo.com"}, 1},
		{"configured identities first", []string{"letsencrypt.org"}, &caaIssuer{ids: []string{"sectigo.com"}}, []string{}, 0},
		{"an issuer that cannot tell", nil, &caaIssuer{err: errors.New("directory unreachable")}, []string{}, 1},
		{"an issuer that lists none", nil, &caaIssuer{ids: []string{}}, []string{}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := dnsBindManager(t, DNSConfig{Resolvers: []string{s.Addr()}, NameserverPort: s.Port(), CAIdentities: tc.configured},
				tc.issuer, "shop.example.com")
			res, err := m.Check(context.Background(), "shop.example.com")
			require.NoError(t, err)
			require.Equal(t, tc.permitted, res.DNS.CAAPermitted)
			require.Equal(t, tc.asked, tc.issuer.calls.Load())
			if len(tc.permitted) == 0 {
				want := "letsencrypt.org"
				require.Contains(t, res.DNS.ValidationErrors[0].Message, "do not allow "+want)
			}
		})
	}
}

// TestCheckManySharesZoneLookups: CheckMany looks each zone up once for
// all its hostnames (validate.CheckEach), so it sends fewer queries than
// a Check per hostname; each hostname still gets its result.
func TestCheckManySharesZoneLookups(t *testing.T) {
	var hosts, records []string
	for i := range 20 {
		h := fmt.Sprintf("h%02d.example.com", i)
		hosts, records = append(hosts, h), append(records, h+". A 203.0.113.10")
	}
	s := dnstest.Start(t, dnstest.Zone{Name: "example.com"})
	s.Add(records...)
	m := dnsBindManager(t, DNSConfig{Resolvers: []string{s.Addr()}, NameserverPort: s.Port()}, nil, hosts...)
	ctx := context.Background()
	before := s.Stats().UDP
	_, err := m.Check(ctx, hosts[0])
	require.NoError(t, err)
	one := s.Stats().UDP - before

	before = s.Stats().UDP
	res, errs, err := m.CheckMany(ctx, append(hosts, "H00.Example.com", "missing.example.com"), 4)
	require.NoError(t, err)
	many := s.Stats().UDP - before
	require.Len(t, res, 21)
	require.True(t, res["H00.Example.com"].DNS.HTTPConfigured, "results are keyed by the names given")
	require.ErrorIs(t, errs["missing.example.com"], ErrNotFound)
	require.Less(t, many, 20*one, "zone lookups are shared (%d queries for one, %d for 20)", one, many)
}
