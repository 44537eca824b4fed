package acme_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

func TestDryRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	c := newCounter(e.srv.Transport())
	iss := e.issuer(t, withCounter(c))
	ctx := testContext(t)

	req := e.request(pebbletest.UniqueDomain(""))
	req.DryRun = true
	ic, err := iss.Issue(ctx, req)
	require.NoError(t, err)
	require.Nil(t, ic)
	require.Equal(t, 1, c.count(newAccountPost), "the account is created")
	require.Zero(t, c.count(newOrderPost), "no order")

	ic, err = iss.Issue(ctx, req) // the stored account is checked at the CA
	require.NoError(t, err)
	require.Nil(t, ic)
	require.Equal(t, 1, c.count(newAccountPost))
	require.Zero(t, c.count(newOrderPost))
}

func TestPreflightErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	c := newCounter(e.srv.Transport())
	iss := e.issuer(t, withCounter(c))
	name := pebbletest.UniqueDomain("")

	tests := []struct {
		name    string
		modify  func(r *certs.IssueRequest)
		wantErr error
	}{
		{"invalid key type", func(r *certs.IssueRequest) { r.KeyType = "ed25519" }, certs.ErrInvalidKeyType},
		{"wildcard with http-01", func(r *certs.IssueRequest) { r.Names = []string{"*." + name} }, certs.ErrWildcardNeedsDNS01},
		{"wildcard with tls-alpn-01", func(r *certs.IssueRequest) {
			r.Names, r.Challenge = []string{name, "*." + name}, certs.ChallengeTLSALPN01
		}, certs.ErrWildcardNeedsDNS01},
		{"dns-01 without provider", func(r *certs.IssueRequest) { r.Challenge, r.DNS01 = certs.ChallengeDNS01, nil }, certs.ErrNoDNSProvider},
		{"http-01 without solver", func(r *certs.IssueRequest) { r.HTTP01 = nil }, acme.ErrNoHTTP01Solver},
		{"tls-alpn-01 without solver", func(r *certs.IssueRequest) {
			r.Challenge, r.TLSALPN01 = certs.ChallengeTLSALPN01, nil
		}, acme.ErrNoTLSALPN01Solver},
		{"unknown challenge", func(r *certs.IssueRequest) { r.Challenge = "dns-02" }, acme.ErrInvalidChallenge},
		{"no names", func(r *certs.IssueRequest) { r.Names = nil }, acme.ErrInvalidName},
		{"invalid name", func(r *certs.IssueRequest) { r.Names = []string{"exa mple.com"} }, acme.ErrInvalidName},
		{"single label", func(r *certs.IssueRequest) { r.Names = []string{"localhost"} }, acme.ErrInvalidName},
		{"wildcard in the middle", func(r *certs.IssueRequest) {
			r.Names, r.Challenge = []string{"a.*." + name}, certs.ChallengeDNS01
		}, acme.ErrInvalidName},
		{"unknown profile", func(r *certs.IssueRequest) { r.Profile = "forever" }, acme.ErrUnknownProfile},
	}
	for _, tc := range tests {
		for _, dry := range []bool{false, true} {
			req := e.request(name)
			req.DryRun = dry
			tc.modify(&req)
			_, err := iss.Issue(testContext(t), req)
			require.ErrorIs(t, err, tc.wantErr, "%s (dry run %v)", tc.name, dry)
		}
	}
	require.Zero(t, c.count(newOrderPost), "no order placed")
}

func TestNewConfig(t *testing.T) {
	t.Parallel()
	valid := func() acme.Config { return acme.Config{AgreeTOS: true, Store: store.NewMemory()} }
	tests := []struct {
		name    string
		modify  func(c *acme.Config)
		wantErr error  // nil: any error when wantDir is empty
		wantDir string // the resulting directory when valid
	}{
		{name: "defaults to Let's Encrypt production", modify: func(*acme.Config) {}, wantDir: acme.LetsEncryptProduction},
		{name: "staging", modify: func(c *acme.Config) { c.Staging = true }, wantDir: acme.LetsEncryptStaging},
		{name: "any directory", modify: func(c *acme.Config) { c.DirectoryURL = "https://ca.internal/acme/dir" }, wantDir: "https://ca.internal/acme/dir"},
		{name: "terms not agreed", modify: func(c *acme.Config) { c.AgreeTOS = false }, wantErr: acme.ErrTOSNotAgreed},
		{name: "no store: the Manager's is used", modify: func(c *acme.Config) { c.Store = nil }, wantDir: acme.LetsEncryptProduction},
		{name: "staging and directory", modify: func(c *acme.Config) { c.Staging, c.DirectoryURL = true, "https://x.test/dir" }},
		{name: "http directory", modify: func(c *acme.Config) { c.DirectoryURL = "http://x.test/dir" }},
		{name: "bad email", modify: func(c *acme.Config) { c.Email = "Ops <ops@example.com>" }},
		{name: "EAB without HMAC", modify: func(c *acme.Config) { c.EAB = &acme.ExternalAccountBinding{KeyID: "k"} }},
		{name: "EAB HMAC not base64url", modify: func(c *acme.Config) { c.EAB = &acme.ExternalAccountBinding{KeyID: "k", HMACKey: "%%%"} }},
		{name: "bad resolver", modify: func(c *acme.Config) { c.DNSResolvers = []string{"a:b:c"} }},
		{name: "negative validation timeout", modify: func(c *acme.Config) { c.ValidationTimeout = -time.Second }},
		{name: "validation timeout", modify: func(c *acme.Config) { c.ValidationTimeout = time.Second }, wantDir: acme.LetsEncryptProduction},
		{name: "bad default challenge", modify: func(c *acme.Config) { c.DefaultChallenge = "http-02" }, wantErr: acme.ErrInvalidChallenge},
		{name: "roots with a custom transport", modify: func(c *acme.Config) {
			c.Roots = e2eRoots()
			c.HTTPClient = &http.Client{Transport: newCounter(http.DefaultTransport)}
		}},
		{name: "roots", modify: func(c *acme.Config) { c.Roots = e2eRoots() }, wantDir: acme.LetsEncryptProduction},
		{name: "resolvers with and without port", modify: func(c *acme.Config) {
			c.DNSResolvers = []string{"127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:53"}
		}, wantDir: acme.LetsEncryptProduction},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid()
			tc.modify(&cfg)
			iss, err := acme.New(cfg)
			if tc.wantDir != "" {
				require.NoError(t, err)
				require.Equal(t, tc.wantDir, iss.DirectoryURL())
				return
			}
			require.Error(t, err)
			require.Contains(t, err.Error(), "acme: ")
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			}
		})
	}
}

// TestIssuerWithoutStore: an Issuer used on its own without a Store says
// so at its first order, before contacting the CA; given one (as the
// Manager does), it orders.
func TestIssuerWithoutStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t, func(c *acme.Config) { c.Store = nil })
	require.Nil(t, iss.Store())
	_, err := iss.Issue(testContext(t), e.request(pebbletest.UniqueDomain("")))
	require.ErrorIs(t, err, acme.ErrNoStore)
	st := store.NewMemory()
	iss.UseStore(st)
	require.Equal(t, certs.Store(st), iss.Store())
	_, err = iss.Issue(testContext(t), e.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
}
