package validate

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

func fixtureCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	block, _ := pem.Decode(data)
	require.NotNil(t, block, name)
	c, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	return c
}

// TestCertificateLegacyFixtures checks certificates made by OpenSSL that
// current clients refuse: each is its own error, or with AllowLegacy its
// own warning, and never an incomplete chain.
func TestCertificateLegacyFixtures(t *testing.T) {
	roots := x509.NewCertPool()
	roots.AddCert(fixtureCert(t, "legacy-root.pem"))
	inter, sha1Inter := fixtureCert(t, "legacy-intermediate.pem"), fixtureCert(t, "legacy-intermediate-sha1.pem")
	tests := []struct {
		name  string
		leaf  string
		chain *x509.Certificate
		err   error
		code  string
	}{
		{"CN only", "legacy-leaf-cn-only.pem", inter, ErrNoSAN, WarnNoSAN},
		{"clientAuth only", "legacy-leaf-client-auth.pem", inter, ErrNoServerAuth, WarnNoServerAuth},
		{"SHA-1 leaf", "legacy-leaf-sha1.pem", inter, ErrWeakSignature, WarnWeakSignature},
		{"MD5 leaf", "legacy-leaf-md5.pem", inter, ErrWeakSignature, WarnWeakSignature},
		{"SHA-1 intermediate", "legacy-leaf.pem", sha1Inter, ErrWeakSignature, WarnWeakSignature},
	}
	for _, tc := range tests {
		leaf := fixtureCert(t, tc.leaf)
		opts := Options{Roots: roots, RequireTrustedChain: true, Hostname: "legacy.example.com"}
		t.Run(tc.name, func(t *testing.T) {
			r := Certificate(leaf, []*x509.Certificate{tc.chain}, nil, opts)
			requireOneError(t, r, tc.err)
			require.Empty(t, r.Warnings)
		})
		t.Run(tc.name+" allowed", func(t *testing.T) {
			opts.AllowLegacy = true
			r := Certificate(leaf, []*x509.Certificate{tc.chain}, nil, opts)
			require.True(t, r.Valid, "errors: %v", r.Errors)
			require.Len(t, r.Warnings, 1)
			require.Equal(t, tc.code, r.Warnings[0].Code)
		})
	}
	t.Run("the control is clean", func(t *testing.T) {
		r := Certificate(fixtureCert(t, "legacy-leaf.pem"), []*x509.Certificate{inter}, nil, Options{Roots: roots, RequireTrustedChain: true})
		require.True(t, r.Valid, "errors: %v", r.Errors)
		require.Empty(t, r.Warnings)
	})
}

// TestCertificateIntermediateEKU refuses a chain whose intermediate
// excludes serverAuth, as x509 does, without calling it incomplete.
func TestCertificateIntermediateEKU(t *testing.T) {
	root := testpki.NewCA(t)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	inter := sign(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Client CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}}, root.Cert, key.Public(), root.Key)
	leafKey := testpki.NewKey(t, testpki.ECDSAP256)
	leaf := sign(t, &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "a.test"}, DNSNames: []string{"a.test"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, inter, leafKey.Public(), key)
	r := Certificate(leaf, []*x509.Certificate{inter}, leafKey, Options{Roots: root.Pool(), RequireTrustedChain: true})
	requireOneError(t, r, ErrNoServerAuth, `the intermediate "CN=Client CA" restricts its extended key usage to ["clientAuth" "emailProtection"]`)
	r = Certificate(leaf, []*x509.Certificate{inter}, leafKey, Options{Roots: root.Pool(), RequireTrustedChain: true, AllowLegacy: true})
	require.True(t, r.Valid, "errors: %v", r.Errors)
	require.Equal(t, []Warning{r.Warnings[0]}, r.Warnings)
	require.Equal(t, WarnNoServerAuth, r.Warnings[0].Code)
}

func sign(t *testing.T, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(90*24*time.Hour)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c
}

// TestReportBounds caps and deduplicates warnings and cuts long names.
func TestReportBounds(t *testing.T) {
	t.Run("AddWarning", func(t *testing.T) {
		r := &Report{}
		for i := range 40 {
			r.AddWarning("duplicate_dropped", "same")
			r.AddWarning("root_dropped", strings.Repeat("r", i+1))
		}
		r.AddWarning("x", strings.Repeat("é", 2000))
		require.Len(t, r.Warnings, maxWarnings)
		require.Equal(t, Warning{"duplicate_dropped", "same"}, r.Warnings[0])
		require.Equal(t, Warning{WarnOmitted, "27 more warnings were omitted"}, r.Warnings[maxWarnings-1])
	})
	t.Run("long message", func(t *testing.T) {
		r := &Report{}
		r.AddWarning("x", strings.Repeat("é", 2000))
		require.LessOrEqual(t, len(r.Warnings[0].Message), maxMessage+3)
	})
	t.Run("hostname mismatch with 5000 names", func(t *testing.T) {
		names := make([]string, 5000)
		for i := range names {
			names[i] = strings.Repeat("n", 60) + strings.Repeat("x", i%7) + ".test"
		}
		l := testpki.NewCA(t).Leaf(t, names, testpki.LeafOptions{CommonName: strings.Repeat("c", 60)})
		r := Certificate(l.Cert, nil, nil, Options{Hostname: "other.test", Roots: testpki.NewCA(t).Pool()})
		var mismatch error
		for _, err := range r.Errors {
			if errors.Is(err, ErrHostnameMismatch) {
				mismatch = err
			}
			require.LessOrEqual(t, len(err.Error()), maxMessage+50)
		}
		require.Error(t, mismatch)
		require.Contains(t, mismatch.Error(), "and 4990 more")
		for _, w := range r.Warnings {
			require.LessOrEqual(t, len(w.Message), maxMessage+3)
		}
	})
}
