package api_test

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
)

// TestACMELifecycle: request with options, issuance in the background,
// auto-renew switched, renewal with another key type, downloads and the
// key, revocation; each through the typed client against Pebble.
func TestACMELifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.client(tokenA)
	ctx := e.ctx()
	const name = "life.example.com"
	off := false
	h, err := c.RequestACME(ctx, api.RequestACME{Hostname: name, AlternateNames: []string{"www." + name},
		AltKeyType: "rsa2048", Profile: "shortlived", AutoRenew: &off})
	require.NoError(t, err)
	require.Equal(t, "pending_validation", h.Status)
	require.Equal(t, []string{name, "www." + name}, h.PendingOrder.Names)
	_, err = c.Download(ctx, name, "", "")
	require.True(t, api.IsProblem(err, "no_certificate"), "nothing to download before issuance: %v", err)
	require.ErrorIs(t, err, certs.ErrNoCertificateForSource)

	e.issueACME()
	h, err = c.Get(ctx, name)
	require.NoError(t, err)
	require.Equal(t, "active", h.Status)
	cert := h.Certificates[0]
	require.Equal(t, []string{name, "www." + name}, cert.Names)
	require.Equal(t, []string{"ecdsa", "rsa"}, []string{cert.Issued[0].Type, cert.Issued[1].Type}, "one entry per key type")
	require.False(t, *cert.AutoRenew)
	require.Equal(t, "shortlived", cert.ACMEOptions.Profile)
	require.Contains(t, h.ServedNames, "www."+name)

	h, err = c.SetAutoRenew(ctx, name, true)
	require.NoError(t, err)
	require.True(t, *h.Certificates[0].AutoRenew)

	h, err = c.Renew(ctx, name, api.Renew{KeyType: "ec384"})
	require.NoError(t, err)
	renewed := h.Certificates[0]
	require.Equal(t, "ec384", renewed.ACMEOptions.KeyType)
	require.Equal(t, 384, renewed.KeyBits)
	require.NotNil(t, renewed.RenewedFrom)
	require.NotEqual(t, cert.FingerprintSHA256, renewed.FingerprintSHA256)

	st, err := c.Status(ctx, name)
	require.NoError(t, err)
	require.Equal(t, "acme", *st.Source)
	require.Equal(t, "active", st.Status)
	require.True(t, st.AutoRenew)
	require.Positive(t, *st.DaysUntilExpiry)

	checkDownloads(t, e, name, renewed)

	h, err = c.Revoke(ctx, name, "superseded")
	require.NoError(t, err)
	require.Equal(t, "revoked", h.Certificates[0].Status)
	require.Equal(t, "superseded", h.Certificates[0].RevocationReason)
	_, err = c.Revoke(ctx, name, "")
	require.True(t, api.IsProblem(err, "already_revoked"), "%v", err)
	_, err = c.Renew(ctx, name, api.Renew{})
	require.ErrorIs(t, err, certs.ErrAlreadyRevoked)
}

// checkDownloads: the full chain, the chain and the leaf as PEM and JSON,
// and the private key (keys scope) that matches the leaf.
func checkDownloads(t *testing.T, e *env, name string, cert api.Certificate) {
	t.Helper()
	path := "/certificates/" + name
	full := e.do(http.MethodGet, path+"/download?source=acme", tokenARead, "")
	require.Equal(t, http.StatusOK, full.status)
	leaf := verifyChain(t, full.body, e.ca.Roots(), name)
	require.Equal(t, cert.FingerprintSHA256, fingerprint(leaf))
	chain := e.do(http.MethodGet, path+"/download?kind=chain", tokenARead, "")
	require.NotContains(t, string(chain.body), pemOf(leaf))
	require.Equal(t, string(full.body), pemOf(leaf)+string(chain.body))
	var dl api.PEMDownload
	a := e.do(http.MethodGet, path+"/download?kind=leaf", tokenARead, "", "Accept", "application/json")
	require.Equal(t, "application/json", a.header.Get("Content-Type"))
	a.json(t, &dl)
	require.Equal(t, api.PEMDownload{Hostname: name, Source: "acme", Kind: "leaf", PEM: pemOf(leaf)}, dl)

	key := e.do(http.MethodGet, path+"/private_key", tokenA, "")
	require.Equal(t, http.StatusOK, key.status)
	require.Equal(t, "application/x-pem-file", key.header.Get("Content-Type"))
	b, _ := pem.Decode(key.body)
	priv, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	require.NoError(t, err)
	require.True(t, priv.(crypto.Signer).Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(leaf.PublicKey), "the key is the leaf's")
	var pk api.PrivateKey
	e.do(http.MethodGet, path+"/private_key?source=acme", tokenA, "", "Accept", "application/json").json(t, &pk)
	require.Equal(t, string(key.body), pk.PEM)
	require.NotContains(t, fmt.Sprint(pk), "PRIVATE KEY", "printing the key hides it")
}

func pemOf(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

// TestACMEPreconditions: what cannot be done yet or here is 412 or 428,
// with nothing stored.
func TestACMEPreconditions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	const custom = "only-custom.example.com"
	require.Equal(t, http.StatusCreated, e.doJSON(http.MethodPost, "/certificates/custom", tokenA, upload(custom, e.issue(custom))).status)
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"renew without ACME", "POST", "/certificates/" + custom + "/renew", "", 428, "no_certificate"},
		{"revoke without ACME", "POST", "/certificates/" + custom + "/revoke", "", 428, "no_certificate"},
		{"auto-renew without ACME", "PATCH", "/certificates/" + custom + "/acme", `{"auto_renew": true}`, 428, "no_certificate"},
		{"ACME download without ACME", "GET", "/certificates/" + custom + "/download?source=acme", "", 428, "no_certificate"},
		{"ACME key without ACME", "GET", "/certificates/" + custom + "/private_key?source=acme", "", 428, "no_certificate"},
		{"dns-01 without provider", "POST", "/certificates/acme", `{"hostname": "dns.example.com", "challenge": "dns-01"}`, 412, "no_dns_provider"},
		{"provider by name not offered", "POST", "/certificates/acme", `{"hostname": "dns.example.com", "challenge": "dns-01", "dns_provider": "cloudflare", "dns_credentials": {"apiToken": "t"}}`, 412, "dns_provider_by_name_unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.do(tc.method, tc.path, tokenA, tc.body).problem(t, tc.status, tc.code)
		})
	}
	a := e.do(http.MethodPost, "/certificates/acme", tokenA, `{"hostname": "dry.example.com", "dry_run": true}`)
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	e.do(http.MethodGet, "/certificates/dry.example.com", tokenA, "").problem(t, http.StatusNotFound, "not_found")
}

// TestDNSProviderByName: a wildcard over dns-01 with a DNS provider
// named in the request, its credentials kept sealed for renewals and never
// shown or logged; a provider the factory refuses is a 422 whose detail
// does not quote the credentials.
func TestDNSProviderByName(t *testing.T) {
	t.Parallel()
	const secret = "dns-api-token-7f3a9c1e55"
	var e *env
	e = newEnv(t, envOptions{newDNSProvider: func(name string, creds map[string]string) (certs.DNSProvider, error) {
		if name != "certstest" {
			return nil, fmt.Errorf("unknown DNS provider %q (credentials %v)", name, creds)
		}
		if creds["token"] != secret {
			return nil, fmt.Errorf("token %q refused", creds["token"])
		}
		return e.ca.DNSProvider(), nil
	}})
	c := e.client(tokenA)
	ctx := e.ctx()
	const wildcard = "*.wild.example.com"
	h, err := c.RequestACME(ctx, api.RequestACME{Hostname: wildcard, DNSProvider: "certstest", DNSCredentials: api.Secrets{"token": secret}})
	require.NoError(t, err)
	require.Equal(t, "dns-01", h.PendingOrder.Options.Challenge)
	e.issueACME()
	a := e.do(http.MethodGet, "/certificates/%2A.wild.example.com", tokenA, "")
	require.Equal(t, http.StatusOK, a.status)
	a.json(t, &h)
	require.Equal(t, "active", h.Status, "%s", a.body)
	require.Equal(t, "certstest", h.Certificates[0].ACMEOptions.DNSProvider)
	_, err = c.Renew(ctx, wildcard, api.Renew{})
	require.NoError(t, err, "the renewal rebuilds the provider from the sealed credentials")

	_, err = c.RequestACME(ctx, api.RequestACME{Hostname: "other.example.com", Challenge: "dns-01", DNSProvider: "certstest", DNSCredentials: api.Secrets{"token": "wrong-" + secret}})
	require.True(t, api.IsProblem(err, "dns_provider_invalid"), "%v", err)
	require.NotContains(t, err.Error(), secret)
	_, err = c.RequestACME(ctx, api.RequestACME{Hostname: "other.example.com", Challenge: "dns-01", DNSProvider: "nope", DNSCredentials: api.Secrets{"token": secret}})
	require.True(t, api.IsProblem(err, "dns_provider_invalid"), "%v", err)
	require.NotContains(t, err.Error(), secret)

	for _, ans := range e.val.bodies() {
		require.NotContains(t, string(ans.body), secret, ans.route)
		if !strings.HasSuffix(strings.Split(ans.route, "?")[0], "/private_key") {
			require.NotContains(t, string(ans.body), "PRIVATE KEY", ans.route)
		}
	}
	require.NotContains(t, e.logs.String(), secret)
	require.NotContains(t, e.logs.String(), tokenA)
	require.NotContains(t, fmt.Sprint(api.RequestACME{DNSCredentials: api.Secrets{"token": secret}}), secret)
	require.False(t, errors.Is(err, certs.ErrNotFound))
}
