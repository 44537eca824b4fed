package validate

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

var allSentinels = []error{
	ErrKeyMismatch, ErrExpired, ErrNotYetValid, ErrHostnameMismatch,
	ErrIncompleteChain, ErrWeakKey, ErrNotLeaf, ErrNoCertificate,
	ErrNoSAN, ErrNoServerAuth, ErrWeakSignature, ErrChainTooLong,
}

// input is what one table row passes to Certificate.
type input struct {
	leaf          *x509.Certificate
	intermediates []*x509.Certificate
	key           any
	opts          Options
}

// pki is a shared hierarchy for the tables.
type pki struct {
	root, inter *testpki.CA
}

func newPKI(t *testing.T) pki {
	root := testpki.NewCA(t)
	return pki{root: root, inter: root.Intermediate(t)}
}

// in returns an input for l with its chain, key and the hierarchy's roots.
func (p pki) in(l *testpki.Leaf, opts Options) input {
	if opts.Roots == nil {
		opts.Roots = p.root.Pool()
	}
	return input{leaf: l.Cert, intermediates: l.Chain, key: l.Key, opts: opts}
}

func (p pki) leaf(t *testing.T, names []string, opts testpki.LeafOptions) *testpki.Leaf {
	return p.inter.Leaf(t, names, opts)
}

// TestCertificateErrors checks each problem that must block serving: its
// typed error, alone, and a message that says what to fix.
func TestCertificateErrors(t *testing.T) {
	p := newPKI(t)
	now := time.Now()
	good := p.leaf(t, []string{"a.test", "www.a.test"}, testpki.LeafOptions{})
	other := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	expired := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
	future := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{NotBefore: now.Add(24 * time.Hour), NotAfter: now.Add(48 * time.Hour)})
	wildcard := p.leaf(t, []string{"*.example.com"}, testpki.LeafOptions{})
	plain := p.leaf(t, []string{"a.example.com", "www.example.com"}, testpki.LeafOptions{})
	cnAndSAN := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{CommonName: "legacy.test"})
	caLeaf := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{IsCA: true})
	rsa1024 := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{KeyType: testpki.RSA1024})
	rsa512 := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{KeyType: testpki.RSA512})
	clientOnly := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	self := testpki.SelfSigned(t, []string{"a.test"}, testpki.LeafOptions{})
	rsaCA := p.root.Intermediate(t, testpki.CAOptions{KeyType: testpki.RSA2048})
	sha1 := rsaCA.Leaf(t, []string{"a.test"}, testpki.LeafOptions{SignatureAlgorithm: x509.SHA1WithRSA})
	underSHA1 := p.root.Intermediate(t, testpki.CAOptions{SignatureAlgorithm: x509.ECDSAWithSHA1}).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	cnOnly := p.leaf(t, nil, testpki.LeafOptions{CommonName: "a.test", OmitSANs: true})
	deepCA := p.inter
	for range 9 {
		deepCA = deepCA.Intermediate(t)
	}
	deep := deepCA.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	oldInter := p.root.Intermediate(t, testpki.CAOptions{NotBefore: now.Add(-10 * 24 * time.Hour), NotAfter: now.Add(-time.Hour)})
	underOld := oldInter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{NotBefore: now.Add(-5 * 24 * time.Hour)})

	withKey := func(in input, key any) input { in.key = key; return in }
	withChain := func(in input, c ...*x509.Certificate) input { in.intermediates = c; return in }
	noChain := func(in input) input { in.intermediates = nil; return in }

	tests := []struct {
		name    string
		in      input
		wantErr error
		wantMsg []string
	}{
		{"key does not match", withKey(p.in(good, Options{}), other.Key), ErrKeyMismatch,
			[]string{"the private key does not match the certificate's public key; upload the key that was used to create the CSR"}},
		{"key of another type", withKey(p.in(good, Options{}), rsa1024.Key), ErrKeyMismatch, []string{"upload the key"}},
		{"expired", p.in(expired, Options{}), ErrExpired,
			[]string{"expired on " + expired.Cert.NotAfter.UTC().Format(time.RFC3339), "renew it"}},
		{"not yet valid", p.in(future, Options{}), ErrNotYetValid,
			[]string{"valid only from " + future.Cert.NotBefore.UTC().Format(time.RFC3339), "clock"}},
		{"expired at Options.Now", p.in(good, Options{Now: now.Add(365 * 24 * time.Hour)}), ErrExpired, []string{"renew it"}},
		{"wrong hostname", p.in(good, Options{Hostname: "other.test"}), ErrHostnameMismatch,
			[]string{`"other.test" is not covered`, `["a.test" "www.a.test"]`, `includes "other.test"`}},
		{"wildcard two labels deep", p.in(wildcard, Options{Hostname: "a.b.example.com"}), ErrHostnameMismatch,
			[]string{`"a.b.example.com" is not covered`, `"*.example.com"`}},
		{"wildcard does not cover the apex", p.in(wildcard, Options{Hostname: "example.com"}), ErrHostnameMismatch, []string{`"example.com" is not covered`}},
		{"wildcard hostname needs the wildcard SAN", p.in(plain, Options{Hostname: "*.example.com"}), ErrHostnameMismatch,
			[]string{`needs the SAN "*.example.com"`}},
		{"narrower wildcard hostname", p.in(wildcard, Options{Hostname: "*.a.example.com"}), ErrHostnameMismatch, []string{`"*.a.example.com"`}},
		{"CN ignored when there are SANs", p.in(cnAndSAN, Options{Hostname: "legacy.test"}), ErrHostnameMismatch, []string{`covers ["a.test"]`}},
		{"CA certificate as leaf", p.in(caLeaf, Options{}), ErrNotLeaf, []string{"is a CA certificate", "upload the server certificate"}},
		{"RSA 1024", p.in(rsa1024, Options{}), ErrWeakKey, []string{"1024 bits", "minimum of 2048", "create a new key"}},
		{"RSA 512 even with AllowWeakKeys", p.in(rsa512, Options{AllowWeakKeys: true}), ErrWeakKey, []string{"512 bits", "minimum of 1024"}},
		{"untrusted root", p.in(good, Options{RequireTrustedChain: true, Roots: testpki.NewCA(t).Pool()}), ErrIncompleteChain,
			[]string{"does not lead to a trusted root", "add the intermediate certificates"}},
		{"missing intermediate", noChain(p.in(good, Options{RequireTrustedChain: true})), ErrIncompleteChain,
			[]string{"fullchain"}},
		{"client-auth-only certificate", p.in(clientOnly, Options{}), ErrNoServerAuth, []string{`extended key usage is ["clientAuth"], without serverAuth`}},
		{"client-auth-only certificate when trust is required", p.in(clientOnly, Options{RequireTrustedChain: true}), ErrNoServerAuth, []string{"request a TLS server certificate"}},
		{"CN only", p.in(cnOnly, Options{Hostname: "a.test"}), ErrNoSAN, []string{`only the common name "a.test"`, "as a DNS subject alternative name"}},
		{"SHA-1 leaf", p.in(sha1, Options{}), ErrWeakSignature, []string{"SHA1-RSA", "reissue it with a SHA-256 signature"}},
		{"SHA-1 intermediate", p.in(underSHA1, Options{}), ErrWeakSignature, []string{"the intermediate", "ECDSA-SHA1"}},
		{"11 certificates", p.in(deep, Options{}), ErrChainTooLong, []string{"the chain has 11 certificates, more than 10"}},
		{"a configured chain length", p.in(good, Options{MaxChainLength: 1}), ErrChainTooLong, []string{"more than 1"}},
		{"one CA three times", withChain(p.in(good, Options{}), p.inter.Cert, p.inter.Cert, p.inter.Cert), ErrChainTooLong, []string{"names \"CN=testpki Intermediate CA", "three times"}},
		{"self-signed when trust is required", p.in(self, Options{RequireTrustedChain: true}), ErrIncompleteChain, []string{"trusted root"}},
		{"SHA-1 signature when trust is required", p.in(sha1, Options{RequireTrustedChain: true}), ErrWeakSignature, []string{"SHA-256"}},
		{"expired intermediate", p.in(underOld, Options{RequireTrustedChain: true}), ErrIncompleteChain, []string{"current intermediates"}},
		{"nil leaf", input{}, ErrNoCertificate, []string{"upload the server certificate"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Certificate(tc.in.leaf, tc.in.intermediates, tc.in.key, tc.in.opts)
			requireOneError(t, r, tc.wantErr, tc.wantMsg...)
		})
	}
}

func requireOneError(t *testing.T, r *Report, want error, msgs ...string) {
	t.Helper()
	require.False(t, r.Valid)
	require.Len(t, r.Errors, 1, "errors: %v", r.Errors)
	err := r.Err()
	require.ErrorIs(t, err, want)
	msg := err.Error()
	require.True(t, strings.HasPrefix(msg, "validate: "), msg)
	for _, m := range msgs {
		require.Contains(t, msg, m)
	}
	for _, other := range allSentinels {
		if other != want {
			require.False(t, errors.Is(err, other), "also matches %v", other)
		}
	}
}

// TestCertificateSeveralErrors reports every problem at once.
func TestCertificateSeveralErrors(t *testing.T) {
	p := newPKI(t)
	l := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{KeyType: testpki.RSA1024})
	other := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	r := Certificate(l.Cert, l.Chain, other.Key, Options{
		Roots: p.root.Pool(), Hostname: "b.test", Now: l.Cert.NotAfter.Add(time.Hour),
	})
	require.False(t, r.Valid)
	for _, want := range []error{ErrKeyMismatch, ErrExpired, ErrHostnameMismatch, ErrWeakKey} {
		require.ErrorIs(t, r.Err(), want)
	}
	require.Len(t, r.Errors, 4)
	require.Empty(t, r.Warnings, "an expired certificate is not also expiring soon, and its chain is checked inside its validity")
}

func TestCertificateWarnings(t *testing.T) {
	p := newPKI(t)
	now := time.Now()
	good := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	soon := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{NotAfter: now.Add(10 * 24 * time.Hour)})
	rsa1024 := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{KeyType: testpki.RSA1024})
	rsaCA := p.root.Intermediate(t, testpki.CAOptions{KeyType: testpki.RSA2048})
	sha1Leaf := rsaCA.Leaf(t, []string{"a.test"}, testpki.LeafOptions{SignatureAlgorithm: x509.SHA1WithRSA})
	sha1Inter := p.root.Intermediate(t, testpki.CAOptions{SignatureAlgorithm: x509.ECDSAWithSHA1})
	underSHA1 := sha1Inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	cnOnly := p.leaf(t, nil, testpki.LeafOptions{CommonName: "a.test", OmitSANs: true})
	clientOnly := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	legacy := Options{AllowLegacy: true}
	noChainOf := func(in input) input { in.intermediates = nil; return in }
	withChain := func(in input, c ...*x509.Certificate) input { in.intermediates = c; return in }
	self := testpki.SelfSigned(t, []string{"a.test"}, testpki.LeafOptions{})
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("h%d.a.test", i)
	}
	manySANs := p.leaf(t, many, testpki.LeafOptions{})
	three := p.leaf(t, []string{"a.test", "b.test", "c.test"}, testpki.LeafOptions{})

	withRoot := p.in(good, Options{})
	withRoot.intermediates = append(withRoot.intermediates, p.root.Cert)
	noChain := p.in(good, Options{})
	noChain.intermediates = nil

	tests := []struct {
		name  string
		in    input
		codes []string
		words []string // in the first warning's message
	}{
		{"clean", p.in(good, Options{Hostname: "a.test"}), nil, nil},
		{"expiring within 30 days", p.in(soon, Options{}), []string{WarnExpiringSoon},
			[]string{soon.Cert.NotAfter.UTC().Format(time.RFC3339), "renew it soon"}},
		{"expiring within a custom threshold", p.in(good, Options{ExpiringWithin: 100 * 24 * time.Hour}), []string{WarnExpiringSoon}, []string{"in 89 days"}},
		{"RSA 1024 allowed", p.in(rsa1024, Options{AllowWeakKeys: true}), []string{WarnWeakKey}, []string{"1024 bits", "create a new key"}},
		{"SHA-1 leaf allowed", p.in(sha1Leaf, legacy), []string{WarnWeakSignature}, []string{"SHA1-RSA", "reissue it"}},
		{"SHA-1 intermediate allowed", p.in(underSHA1, legacy), []string{WarnWeakSignature}, []string{"intermediate", "ECDSA-SHA1"}},
		{"SHA-1 leaf allowed, trust required", p.in(sha1Leaf, Options{AllowLegacy: true, RequireTrustedChain: true}), []string{WarnWeakSignature}, nil},
		{"SHA-1 intermediate allowed, trust required", p.in(underSHA1, Options{AllowLegacy: true, RequireTrustedChain: true}), []string{WarnWeakSignature}, nil},
		{"SHA-1 leaf allowed, intermediate missing", noChainOf(p.in(sha1Leaf, legacy)), []string{WarnWeakSignature, WarnIncompleteChain}, []string{"SHA1-RSA"}},
		{"SHA-1 leaf allowed, wrong intermediate", withChain(p.in(sha1Leaf, legacy), p.inter.Cert), []string{WarnWeakSignature, WarnIncompleteChain}, nil},
		{"SHA-1 leaf allowed, untrusted root", p.in(sha1Leaf, Options{AllowLegacy: true, Roots: testpki.NewCA(t).Pool()}), []string{WarnWeakSignature, WarnIncompleteChain}, nil},
		{"CN only allowed", p.in(cnOnly, Options{AllowLegacy: true, Hostname: "a.test"}), []string{WarnNoSAN}, []string{"only the common name"}},
		{"client-auth-only allowed", p.in(clientOnly, Options{AllowLegacy: true, RequireTrustedChain: true}), []string{WarnNoServerAuth}, []string{"clientAuth"}},
		{"self-signed", p.in(self, Options{}), []string{WarnSelfSigned}, []string{"self-signed", "public CA"}},
		{"root included", withRoot, []string{WarnRootIncluded}, []string{p.root.Cert.Subject.CommonName, "remove it"}},
		{"more than 100 SANs", p.in(manySANs, Options{}), []string{WarnTooManySANs}, []string{"101 names"}},
		{"more than MaxSANs", p.in(three, Options{MaxSANs: 2}), []string{WarnTooManySANs}, []string{"3 names (more than 2)"}},
		{"missing intermediate", noChain, []string{WarnIncompleteChain}, []string{"add the intermediate certificates"}},
		{"system roots do not trust a test CA", input{leaf: good.Cert, intermediates: good.Chain, key: good.Key}, []string{WarnIncompleteChain}, []string{"chain"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Certificate(tc.in.leaf, tc.in.intermediates, tc.in.key, tc.in.opts)
			require.True(t, r.Valid, "errors: %v", r.Errors)
			require.NoError(t, r.Err())
			var codes []string
			for _, w := range r.Warnings {
				codes = append(codes, w.Code)
				require.NotEmpty(t, w.Message)
			}
			require.Equal(t, tc.codes, codes)
			for _, word := range tc.words {
				require.Contains(t, r.Warnings[0].Message, word)
			}
			for _, c := range tc.codes {
				require.True(t, r.Has(c))
			}
		})
	}
}

// TestCertificateValid accepts every key type with a matching key and a
// covered hostname.
func TestCertificateValid(t *testing.T) {
	p := newPKI(t)
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.ECDSAP384, testpki.RSA2048, testpki.RSA4096, testpki.Ed25519} {
		t.Run(kt.String(), func(t *testing.T) {
			l := p.leaf(t, []string{"a.test", "*.b.test"}, testpki.LeafOptions{KeyType: kt})
			for _, host := range []string{"a.test", "A.Test", "a.test.", "x.b.test", "*.b.test"} {
				r := Certificate(l.Cert, l.Chain, l.Key, Options{Roots: p.root.Pool(), Hostname: host, RequireTrustedChain: true})
				require.True(t, r.Valid, "%s: %v", host, r.Errors)
				require.Empty(t, r.Warnings, host)
			}
		})
	}
	t.Run("key is optional", func(t *testing.T) {
		l := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{})
		r := Certificate(l.Cert, l.Chain, nil, Options{Roots: p.root.Pool()})
		require.True(t, r.Valid)
	})
	t.Run("facts filled", func(t *testing.T) {
		l := p.leaf(t, []string{"a.test"}, testpki.LeafOptions{})
		r := Certificate(l.Cert, l.Chain, l.Key, Options{Roots: p.root.Pool()})
		require.Equal(t, FactsOf(l.Cert), r.Facts)
	})
}
