package certs_test

import (
	"context"
	"crypto/tls"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
)

// platformDNS is the platform configuration of the DNS tests: where
// hostnames must point and how ownership is proven.
var platformDNS = validate.RequirementsConfig{
	A:                 []string{"203.0.113.10"},
	CNAME:             "edge.platform.net",
	ACMEChallengeZone: "acme.platform-dns.net",
	OwnershipValues:   []string{"app-123", "org-456"},
}

// dnsManager is a Manager whose DNS checks ask a real authoritative DNS
// server on loopback serving example.com and platform.net.
func dnsManager(t *testing.T, records ...string) (*certs.Manager, *dnstest.Server) {
	t.Helper()
	srv := dnstest.Start(t,
		dnstest.Zone{Name: "example.com"},
		dnstest.Zone{Name: "platform.net", Records: []string{"edge A 203.0.113.10"}},
	)
	if len(records) > 0 {
		srv.Add(records...)
	}
	// The issuer's CA is never contacted: every test here is refused
	// before an order would be placed.
	iss, err := acme.New(acme.Config{DirectoryURL: "https://127.0.0.1:1/dir", AgreeTOS: true, Store: store.NewMemory(), Logger: quiet()})
	require.NoError(t, err)
	m, err := certs.New(certs.Config{
		Store: store.NewMemory(), Logger: quiet(), Issuer: iss,
		DNS: certs.DNSConfig{
			RequirementsConfig: platformDNS, RequireOwnership: true, PreflightObtain: true,
			Resolvers: []string{srv.Addr()}, NameserverPort: srv.Port(), Timeout: 300 * time.Millisecond,
		},
	})
	require.NoError(t, err)
	return m, srv
}

func TestGetReturnsDNSRequirements(t *testing.T) {
	m, _ := dnsManager(t)
	ca := testpki.NewCA(t)
	leaf := ca.Leaf(t, []string{"shop.example.com"}, testpki.LeafOptions{})
	h, err := m.Import(context.Background(), "shop.example.com", certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)
	want := validate.DNSRequirements{
		A: []string{"203.0.113.10"}, AAAA: []string{}, CNAME: "edge.platform.net",
		ACMEChallenge: validate.ACMEChallengeRequirement{Name: "_acme-challenge.shop.example.com", Target: "shop.example.com.acme.platform-dns.net"},
		Ownership:     validate.OwnershipRequirement{Name: "_certs-ownership.shop.example.com", Values: []string{"app-123", "org-456"}},
	}
	require.Equal(t, &want, h.DNSRequirements)
	got, err := m.Get(context.Background(), "shop.example.com")
	require.NoError(t, err)
	require.Equal(t, &want, got.DNSRequirements)
}

// TestOwnershipGatesCustomCertificate follows 000's flow: an imported
// custom certificate stays pending_ownership and unserved until Check sees
// the ownership TXT record.
func TestOwnershipGatesCustomCertificate(t *testing.T) {
	ctx := context.Background()
	m, srv := dnsManager(t, "shop.example.com. CNAME edge.platform.net.")
	var mu sync.Mutex
	var events []certs.EventType
	m.Subscribe(func(ev certs.Event) { mu.Lock(); events = append(events, ev.Type); mu.Unlock() })
	ca := testpki.NewCA(t)
	leaf := ca.Leaf(t, []string{"shop.example.com"}, testpki.LeafOptions{})
	h, err := m.Import(ctx, "shop.example.com", certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)
	require.Equal(t, certs.StatusPendingOwnership, h.Status)
	require.Equal(t, certs.StatusPendingOwnership, h.Custom.Status)
	_, err = m.GetCertificate(&tls.ClientHelloInfo{ServerName: "shop.example.com"})
	require.ErrorIs(t, err, certs.ErrUnknownHost, "not served before ownership is proven")

	res, err := m.Check(ctx, "shop.example.com")
	require.NoError(t, err)
	require.True(t, res.DNS.DNSConfigured)
	require.False(t, res.DNS.OwnershipTXTConfigured)
	require.Equal(t, certs.StatusPendingOwnership, res.Host.Status)
	require.NotNil(t, res.Host.LastCheck)
	require.False(t, res.Host.LastCheck.OwnershipTXTConfigured)
	var msgs []string
	for _, e := range res.Host.LastCheck.ValidationErrors {
		msgs = append(msgs, e.Message)
	}
	require.Contains(t, strings.Join(msgs, "\n"), "_certs-ownership.shop.example.com", "the error names the record to add")

	srv.Add(`_certs-ownership.shop.example.com. TXT "org-456"`)
	res, err = m.Check(ctx, "shop.example.com")
	require.NoError(t, err)
	require.True(t, res.DNS.OwnershipTXTConfigured)
	require.Equal(t, certs.StatusActive, res.Host.Status)
	require.Equal(t, []string{"org-456"}, res.DNS.Records.OwnershipTXT)
	c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "shop.example.com"})
	require.NoError(t, err)
	require.Equal(t, leaf.Cert.Raw, c.Leaf.Raw)

	// The verification is stored: a new Manager on the same store serves it.
	got, err := m.Get(ctx, "shop.example.com")
	require.NoError(t, err)
	require.True(t, got.OwnershipVerified)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []certs.EventType{certs.EventImported, certs.EventOwnership}, events)
}

func TestObtainDNSPreflight(t *testing.T) {
	ctx := context.Background()
	m, _ := dnsManager(t,
		"good.example.com. A 203.0.113.10",
		"wrong.example.com. A 198.51.100.7",
		"forbidden.example.com. A 203.0.113.10",
		`forbidden.example.com. CAA 0 issue "otherca.example"`,
	)
	tests := []struct {
		name string
		host string
		opts certs.ObtainOptions
		want error
	}{
		{"http-01, name points elsewhere", "wrong.example.com", certs.ObtainOptions{Challenge: certs.ChallengeHTTP01}, certs.ErrNotPointingHere},
		{"tls-alpn-01, name points elsewhere", "wrong.example.com", certs.ObtainOptions{Challenge: certs.ChallengeTLSALPN01}, certs.ErrNotPointingHere},
		{"CAA forbids the CA", "forbidden.example.com", certs.ObtainOptions{}, certs.ErrCAAForbidden},
		{"unknown name", "missing.example.com", certs.ObtainOptions{}, certs.ErrNotPointingHere},
		{"wildcard without dns-01", "*.example.com", certs.ObtainOptions{Challenge: certs.ChallengeHTTP01}, certs.ErrWildcardNeedsDNS01},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Obtain(ctx, tc.host, tc.opts)
			require.ErrorIs(t, err, tc.want)
			_, err = m.Get(ctx, tc.host)
			require.ErrorIs(t, err, certs.ErrNotFound, "a refused order leaves nothing behind")
		})
	}
}

func TestCheckUnknownHostname(t *testing.T) {
	m, _ := dnsManager(t)
	_, err := m.Check(context.Background(), "nope.example.com")
	require.ErrorIs(t, err, certs.ErrNotFound)
	_, err = m.Check(context.Background(), "bad..name")
	require.ErrorIs(t, err, certs.ErrInvalidHostname)
}

func TestRequireOwnershipNeedsValues(t *testing.T) {
	_, err := certs.New(certs.Config{Store: store.NewMemory(), DNS: certs.DNSConfig{RequireOwnership: true}})
	require.ErrorIs(t, err, certs.ErrInvalidConfig)
}

func TestCheckMany(t *testing.T) {
	ctx := context.Background()
	m, _ := dnsManager(t, "a.example.com. A 203.0.113.10", "b.example.com. A 198.51.100.1")
	ca := testpki.NewCA(t)
	for _, h := range []string{"a.example.com", "b.example.com"} {
		l := ca.Leaf(t, []string{h}, testpki.LeafOptions{})
		_, err := m.Import(ctx, h, certs.Input{Certificate: l.ChainPEM(), PrivateKey: l.KeyPEM()}, certs.ImportOptions{})
		require.NoError(t, err)
	}
	res, errs, err := m.CheckMany(ctx, []string{"a.example.com", "b.example.com", "missing.example.com"}, 2)
	require.NoError(t, err)
	require.True(t, res["a.example.com"].DNS.DNSConfigured)
	require.False(t, res["b.example.com"].DNS.DNSConfigured)
	require.ErrorIs(t, errs["missing.example.com"], certs.ErrNotFound)
	require.Len(t, res, 2)
}
