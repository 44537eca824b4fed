package api_test

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
)

// TestPlatformFlow runs 000's whole flow over HTTP, as curl would: add a
// hostname for an ACME certificate, read its DNS requirements, check the
// DNS, get the certificate once issued, upload a custom one (served first
// once ownership is proven), then delete either and finally the hostname.
func TestPlatformFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{requireOwnership: true})
	const name = "shop.example.com"
	flowAdd(t, e, name)
	flowCheck(t, e, name)
	acmeCert := flowIssued(t, e, name)
	flowCustom(t, e, name, acmeCert)
	flowDelete(t, e, name)
}

// flowAdd adds the hostname: 201 pending_validation, with what to put in
// DNS.
func flowAdd(t *testing.T, e *env, name string) {
	a := e.do(http.MethodPost, "/certificates/acme", tokenA, `{"hostname": "Shop.Example.com."}`)
	require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
	require.Equal(t, "/certificates/"+name, a.header.Get("Location"))
	var h api.Hostname
	a.json(t, &h)
	require.Equal(t, name, h.Hostname)
	require.Equal(t, "pending_validation", h.Status)
	require.True(t, h.ACMERequested)
	require.False(t, h.Configured)
	require.Empty(t, h.Certificates)
	require.NotNil(t, h.PendingOrder)
	require.Equal(t, []string{"203.0.113.10"}, h.DNSRequirements.A)
	require.Equal(t, "edge.platform.net", *h.DNSRequirements.CNAME)
	require.Equal(t, "_acme-challenge."+name, h.DNSRequirements.ACMEChallenge.Name)
	require.Equal(t, name+".acme.platform-dns.net", *h.DNSRequirements.ACMEChallenge.Target)
	require.Equal(t, "_certs-ownership."+name, *h.DNSRequirements.Ownership.Name)
	require.Equal(t, []string{"app-123", "org-456"}, h.DNSRequirements.Ownership.Values)
	require.NotContains(t, h.Labels, api.TenantLabel, "the tenant label is never shown")
}

// flowCheck checks the DNS before and after the customer sets it.
func flowCheck(t *testing.T, e *env, name string) {
	a := e.do(http.MethodPost, "/certificates/"+name+"/check", tokenA, "")
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	var c api.CheckResult
	a.json(t, &c)
	require.False(t, c.Configured)
	require.NotEmpty(t, c.ValidationErrors, "what to fix")
	require.Equal(t, "example.com", c.DNSRecords.Zone)

	e.dns.Add(name+". 300 IN CNAME edge.platform.net.", `_certs-ownership.`+name+`. 300 IN TXT "app-123"`)
	a = e.do(http.MethodPost, "/certificates/"+name+"/check", tokenA, "")
	require.Equal(t, http.StatusOK, a.status)
	a.json(t, &c)
	require.True(t, c.Configured, "%s", a.body)
	require.True(t, c.Validation.HTTPConfigured)
	require.True(t, c.OwnershipTXTConfigured)
	require.Equal(t, []string{"edge.platform.net"}, c.DNSRecords.CNAME)
	require.Equal(t, []string{"203.0.113.10"}, c.DNSRecords.ResolvedAddresses)
	require.Equal(t, []string{"app-123"}, c.DNSRecords.OwnershipTXT)
}

// flowIssued lets the scheduler place the order, then reads and
// downloads the certificate.
func flowIssued(t *testing.T, e *env, name string) api.Certificate {
	e.issueACME()
	a := e.do(http.MethodGet, "/certificates/"+name, tokenARead, "")
	require.Equal(t, http.StatusOK, a.status)
	var h api.Hostname
	a.json(t, &h)
	require.Equal(t, "active", h.Status, "%s", a.body)
	require.True(t, h.HasACMECertificate)
	require.Len(t, h.Certificates, 1)
	acmeCert := h.Certificates[0]
	require.Equal(t, "acme", acmeCert.Source)
	require.Len(t, acmeCert.Issued, 1)
	require.Equal(t, "ecdsa", acmeCert.Issued[0].Type)
	require.Nil(t, h.PendingOrder)

	a = e.do(http.MethodGet, "/certificates/"+name+"/download", tokenARead, "")
	require.Equal(t, http.StatusOK, a.status)
	require.Equal(t, "application/pem-certificate-chain", a.header.Get("Content-Type"))
	leaf := verifyChain(t, a.body, e.ca.Roots(), name)
	require.Equal(t, acmeCert.FingerprintSHA256, fingerprint(leaf))
	return acmeCert
}

// flowCustom uploads a custom certificate (served first: ownership was
// proven), then deletes it (the ACME one is served again).
func flowCustom(t *testing.T, e *env, name string, acmeCert api.Certificate) {
	a := e.doJSON(http.MethodPost, "/certificates/custom", tokenA, upload(name, e.issue(name)))
	require.Equal(t, http.StatusOK, a.status, "an existing hostname: %s", a.body)
	var h api.Hostname
	a.json(t, &h)
	require.True(t, h.HasCustomCertificate)
	require.Equal(t, "active", h.Certificates[0].Status)
	require.Equal(t, []string{"custom", "acme"}, sources(h))
	var ex api.Explanation
	e.do(http.MethodGet, "/explain/"+name, tokenARead, "").json(t, &ex)
	require.Equal(t, "custom", ex.Source)

	a = e.do(http.MethodDelete, "/certificates/"+name+"/custom", tokenA, "")
	require.Equal(t, http.StatusOK, a.status)
	a.json(t, &h)
	require.Equal(t, []string{"acme"}, sources(h))
	e.do(http.MethodGet, "/explain/"+name, tokenARead, "").json(t, &ex)
	require.Equal(t, "acme", ex.Source)
	require.Equal(t, acmeCert.FingerprintSHA256, ex.Certificate.FingerprintSHA256)
}

// flowDelete deletes the ACME certificate, then the hostname.
func flowDelete(t *testing.T, e *env, name string) {
	a := e.do(http.MethodDelete, "/certificates/"+name+"/acme", tokenA, "")
	require.Equal(t, http.StatusOK, a.status)
	var h api.Hostname
	a.json(t, &h)
	require.Empty(t, h.Certificates)
	require.False(t, h.ACMERequested)
	a = e.do(http.MethodDelete, "/certificates/"+name, tokenA, "")
	require.Equal(t, http.StatusNoContent, a.status)
	require.Empty(t, a.body)
	e.do(http.MethodGet, "/certificates/"+name, tokenA, "").problem(t, http.StatusNotFound, "not_found")
	e.do(http.MethodDelete, "/certificates/"+name, tokenA, "").problem(t, http.StatusNotFound, "not_found")
}

// verifyChain parses a PEM full chain and verifies it for name.
func verifyChain(t *testing.T, chain []byte, roots *x509.CertPool, name string) *x509.Certificate {
	t.Helper()
	var certs []*x509.Certificate
	for rest := chain; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		require.NoError(t, err)
		certs = append(certs, c)
	}
	require.NotEmpty(t, certs)
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: inter})
	require.NoError(t, err)
	return certs[0]
}

func sources(h api.Hostname) []string {
	var out []string
	for _, c := range h.Certificates {
		out = append(out, c.Source)
	}
	return out
}
