package api_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/internal/testpki"
)

// TestImportFormats: every accepted form of an upload adds the hostname
// with its custom certificate; each answer is 201 with the certificate's
// facts and never the key.
func TestImportFormats(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ca := testpki.NewCA(t)
	inter := ca.Intermediate(t)
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name   string
		upload func(host string) api.Upload
	}{
		{"PEM full chain and key", func(host string) api.Upload {
			in := e.issue(host)
			return api.Upload{Fullchain: string(in.Certificate), PrivateKey: string(in.PrivateKey)}
		}},
		{"PEM certificate, chain and key", func(host string) api.Upload {
			l := inter.Leaf(t, []string{host}, testpki.LeafOptions{})
			return api.Upload{Certificate: string(l.CertPEM()), Chain: string(l.IntermediatesPEM()), PrivateKey: string(l.KeyPEM())}
		}},
		{"DER certificate, chain and key in base64", func(host string) api.Upload {
			l := inter.Leaf(t, []string{host}, testpki.LeafOptions{})
			return api.Upload{CertificateDER: b64(l.Cert.Raw), ChainDER: b64(l.Chain[0].Raw), PrivateKeyDER: b64(testpki.KeyDER(t, l.Key))}
		}},
		{"PKCS#12 in base64 with its password", func(host string) api.Upload {
			l := inter.Leaf(t, []string{host}, testpki.LeafOptions{})
			pfx, err := pkcs12.Modern.Encode(l.Key, l.Cert, l.Chain, "s3cret")
			require.NoError(t, err)
			return api.Upload{PKCS12: b64(pfx), Password: "s3cret"}
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := []string{"pem.example.com", "chain.example.com", "der.example.com", "pfx.example.com"}[i]
			display := "Shop " + host
			c := e.client(tokenA)
			h, err := c.Import(t.Context(), api.ImportCustom{Hostname: host, Upload: tc.upload(host),
				DisplayName: &display, Labels: map[string]string{"env": "prod"}})
			require.NoError(t, err)
			require.Equal(t, "active", h.Status)
			require.Equal(t, display, h.DisplayName)
			require.Equal(t, map[string]string{"env": "prod"}, h.Labels)
			require.Len(t, h.Certificates, 1)
			require.Equal(t, "custom", h.Certificates[0].Source)
			require.Equal(t, []string{host}, h.Certificates[0].SANs)
			require.Empty(t, h.Certificates[0].Issued)
			pemOut, err := c.Download(t.Context(), host, "custom", "leaf")
			require.NoError(t, err)
			b, _ := pem.Decode(pemOut)
			leaf, err := x509.ParseCertificate(b.Bytes)
			require.NoError(t, err)
			require.Equal(t, h.Certificates[0].FingerprintSHA256, fingerprint(leaf))
		})
	}
}

// TestImportProblems: an upload that cannot be served is a 422 with the
// code of its problem (every problem listed when there are several), and
// nothing is stored.
func TestImportProblems(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ca := testpki.NewCA(t)
	const host = "bad.example.com"
	good := ca.Leaf(t, []string{host}, testpki.LeafOptions{})
	other := ca.Leaf(t, []string{host}, testpki.LeafOptions{})
	expired := ca.Leaf(t, []string{host}, testpki.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	elsewhere := ca.Leaf(t, []string{"elsewhere.example.com"}, testpki.LeafOptions{})
	expiredElsewhere := ca.Leaf(t, []string{"elsewhere.example.com"}, testpki.LeafOptions{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	pfx, err := pkcs12.Modern.Encode(good.Key, good.Cert, nil, "right")
	require.NoError(t, err)
	pemUpload := func(l *testpki.Leaf, key *testpki.Leaf) api.Upload {
		return api.Upload{Fullchain: string(l.ChainPEM()), PrivateKey: string(key.KeyPEM())}
	}
	tests := []struct {
		name   string
		in     api.ImportCustom
		code   string
		codes  []string
		status int
	}{
		{"key mismatch", api.ImportCustom{Hostname: host, Upload: pemUpload(good, other)}, "key_mismatch", nil, 422},
		{"expired", api.ImportCustom{Hostname: host, Upload: pemUpload(expired, expired)}, "expired", nil, 422},
		{"hostname mismatch", api.ImportCustom{Hostname: host, Upload: pemUpload(elsewhere, elsewhere)}, "hostname_mismatch", nil, 422},
		{"several problems", api.ImportCustom{Hostname: host, Upload: pemUpload(expiredElsewhere, expiredElsewhere)}, "", []string{"expired", "hostname_mismatch"}, 422},
		{"not PEM", api.ImportCustom{Hostname: host, Upload: api.Upload{Fullchain: "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", PrivateKey: string(good.KeyPEM())}}, "invalid_pem", nil, 422},
		{"no key", api.ImportCustom{Hostname: host, Upload: api.Upload{Fullchain: string(good.ChainPEM())}}, "no_private_key", nil, 422},
		{"wrong PKCS#12 password", api.ImportCustom{Hostname: host, Upload: api.Upload{PKCS12: base64.StdEncoding.EncodeToString(pfx), Password: "wrong"}}, "bad_password", nil, 422},
		{"further name not covered", api.ImportCustom{Hostname: host, Upload: pemUpload(good, good), Names: []string{"www.bad.example.com"}}, "hostname_mismatch", nil, 422},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := e.doJSON(http.MethodPost, "/certificates/custom", tokenA, tc.in).problem(t, tc.status, firstOr(tc.code, tc.codes))
			var codes []string
			for _, item := range p.Errors {
				codes = append(codes, item.Code)
			}
			if tc.codes != nil {
				require.ElementsMatch(t, tc.codes, codes)
			}
			e.do(http.MethodGet, "/certificates/"+host, tokenA, "").problem(t, http.StatusNotFound, "not_found")
		})
	}
}

// TestValidateUpload: validation reports without storing, valid or not.
func TestValidateUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.client(tokenA)
	in := e.issue("v.example.com", "www.v.example.com")
	up := api.Upload{Fullchain: string(in.Certificate), PrivateKey: string(in.PrivateKey)}

	rep, err := c.Validate(t.Context(), api.ValidateCustom{Hostname: "v.example.com", Upload: up})
	require.NoError(t, err)
	require.True(t, rep.Valid)
	require.Empty(t, rep.Errors)
	require.Equal(t, []string{"v.example.com", "www.v.example.com"}, rep.Facts.SANs)
	require.Equal(t, "v.example.com", *rep.Hostname)

	rep, err = c.Validate(t.Context(), api.ValidateCustom{Hostname: "other.example.com", Upload: up})
	require.NoError(t, err)
	require.False(t, rep.Valid)
	require.Equal(t, "hostname_mismatch", rep.Errors[0].Code)

	rep, err = c.Validate(t.Context(), api.ValidateCustom{Upload: api.Upload{Fullchain: "junk", PrivateKey: "junk"}})
	require.NoError(t, err)
	require.False(t, rep.Valid)
	require.Nil(t, rep.Facts)
	require.Nil(t, rep.Hostname)
	require.NotEmpty(t, rep.Errors)

	page, err := c.List(t.Context(), api.ListOptions{})
	require.NoError(t, err)
	require.Zero(t, page.TotalCount, "validation stores nothing")
}

func firstOr(code string, codes []string) string {
	if code != "" {
		return code
	}
	return codes[0]
}
