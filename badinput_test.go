package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("custom", "testdata", name))
	require.NoError(t, err)
	return b
}

// TestImportBadInputs feeds the Manager uploads that must be refused. Each
// must return its typed error with a message that says what to fix, and
// leave both the stored record and the served certificate exactly as they
// were.
func TestImportBadInputs(t *testing.T) {
	const host = "example.com"
	f := newFixture(t)
	now := f.clock.Now()
	// The OpenSSL-made fixtures chain to their own root: trust it too.
	f.m.roots.AppendCertsFromPEM(readTestdata(t, "root.pem"))

	good := f.leaf([]string{host, "www.example.com"}, testpki.LeafOptions{})
	f.importLeaf(host, good)
	storedBefore := f.storedRecord(host)
	servedBefore := f.served(host)
	require.NotNil(t, servedBefore)

	other := f.leaf([]string{host}, testpki.LeafOptions{})
	otherCA := testpki.NewCA(t).Intermediate(t)
	pem := string(good.ChainPEM())
	leafPEM := readTestdata(t, "leaf.pem")
	inter := readTestdata(t, "intermediate.pem")
	rsa1024 := f.leaf([]string{host}, testpki.LeafOptions{KeyType: testpki.RSA1024})
	rsa512 := f.leaf([]string{host}, testpki.LeafOptions{KeyType: testpki.RSA512})
	caLeaf := f.leaf([]string{host}, testpki.LeafOptions{IsCA: true})
	wildcard := f.leaf([]string{"*.example.com"}, testpki.LeafOptions{})
	cnOnly := f.leaf(nil, testpki.LeafOptions{CommonName: "other.example.org", OmitSANs: true})
	unrelated := append(good.ChainPEM(), otherCA.CertPEM()...)

	tests := []struct {
		name     string
		host     string // default host
		in       Input
		want     error
		mentions string // the message tells the user what to fix
	}{
		{name: "empty input", in: Input{}, want: ErrNoCertificate},
		{name: "garbage", in: Input{Certificate: []byte("hello, world"), PrivateKey: good.KeyPEM()}, want: ErrInvalidPEM},
		{name: "random binary", in: Input{Certificate: []byte{0x30, 0x82, 0xff, 0x00, 0x01}, PrivateKey: good.KeyPEM()}, want: ErrInvalidPEM},
		{name: "truncated PEM", in: Input{Certificate: []byte(pem[:len(good.CertPEM())/2]), PrivateKey: good.KeyPEM()}, want: ErrInvalidPEM},
		{name: "truncated chain", in: Input{Certificate: []byte(pem[:len(pem)-40]), PrivateKey: good.KeyPEM()}, want: ErrInvalidPEM},
		{name: "truncated key", in: Input{Certificate: good.ChainPEM(), PrivateKey: good.KeyPEM()[:60]}, want: ErrInvalidPEM},
		{name: "wrong block type: CSR", in: Input{Certificate: readTestdata(t, "leaf.csr"), PrivateKey: readTestdata(t, "leaf.key")}, want: ErrUnsupportedFormat},
		{name: "wrong block type: key as certificate", in: Input{Certificate: good.KeyPEM(), PrivateKey: good.KeyPEM()}, want: ErrNoCertificate},
		{name: "PKCS#7 bundle", in: Input{Certificate: readTestdata(t, "fullchain.p7b"), PrivateKey: readTestdata(t, "leaf.key")}, want: ErrUnsupportedFormat},
		{name: "certificate without key", in: Input{Certificate: good.ChainPEM()}, want: ErrNoPrivateKey},
		{name: "key without certificate", in: Input{PrivateKey: good.KeyPEM()}, want: ErrNoCertificate},
		{name: "mismatched key", in: Input{Certificate: good.ChainPEM(), PrivateKey: other.KeyPEM()}, want: ErrKeyMismatch, mentions: "key"},
		{name: "mismatched key type", in: Input{Certificate: leafPEM, PrivateKey: good.KeyPEM()}, want: ErrKeyMismatch},
		{name: "X25519 key", in: Input{Certificate: good.ChainPEM(), PrivateKey: readTestdata(t, "x25519.key")}, want: ErrUnsupportedKeyType},
		{name: "expired", in: input(f.leaf([]string{host}, testpki.LeafOptions{NotBefore: now.Add(-60 * 24 * time.Hour), NotAfter: now.Add(-time.Hour)})), want: ErrExpired, mentions: "expired"},
		{name: "not yet valid", in: input(f.leaf([]string{host}, testpki.LeafOptions{NotBefore: now.Add(24 * time.Hour), NotAfter: now.Add(90 * 24 * time.Hour)})), want: ErrNotYetValid},
		{name: "wrong hostname", in: input(f.leaf([]string{"other.example.org"}, testpki.LeafOptions{})), want: ErrHostnameMismatch, mentions: "other.example.org"},
		{name: "wildcard two labels deep", host: "a.b.example.com", in: input(wildcard), want: ErrHostnameMismatch},
		{name: "wildcard does not cover apex", host: "example.com", in: input(wildcard), want: ErrHostnameMismatch},
		{name: "wildcard host, exact certificate", host: "*.example.com", in: input(good), want: ErrHostnameMismatch},
		{name: "CN only, wrong name", in: input(cnOnly), want: ErrHostnameMismatch},
		{name: "encrypted PKCS#8 key", in: Input{Certificate: leafPEM, PrivateKey: readTestdata(t, "leaf-encrypted-pkcs8.key")}, want: ErrEncryptedKey, mentions: "openssl"},
		{name: "encrypted traditional key", in: Input{Certificate: leafPEM, PrivateKey: readTestdata(t, "leaf-encrypted-traditional.key")}, want: ErrEncryptedKey},
		{name: "bad PFX password", in: Input{PKCS12: readTestdata(t, "leaf.pfx"), Password: "wrong"}, want: ErrBadPassword, mentions: "password"},
		{name: "PFX without password", in: Input{PKCS12: readTestdata(t, "leaf.pfx")}, want: ErrBadPassword},
		{name: "PFX garbage", in: Input{PKCS12: []byte("not a pfx"), Password: "secret"}, want: ErrUnsupportedFormat},
		{name: "unrelated intermediate", in: Input{Certificate: unrelated, PrivateKey: good.KeyPEM()}, want: ErrUnrelatedCertificate},
		{name: "unrelated intermediate (OpenSSL)", in: Input{Certificate: readTestdata(t, "fullchain-unrelated.pem"), PrivateKey: readTestdata(t, "leaf.key")}, want: ErrUnrelatedCertificate},
		{name: "separate chain of another leaf", in: Input{Certificate: good.CertPEM(), Chain: otherCA.CertPEM(), PrivateKey: good.KeyPEM()}, want: ErrUnrelatedCertificate},
		{name: "1024-bit RSA", in: input(rsa1024), want: ErrWeakKey, mentions: "2048"},
		{name: "512-bit RSA", in: input(rsa512), want: ErrWeakKey},
		{name: "CA certificate as leaf", in: input(caLeaf), want: ErrNotLeaf},
		{name: "intermediate alone", in: Input{Certificate: inter, PrivateKey: readTestdata(t, "leaf.key")}, want: ErrKeyMismatch},
		{name: "hostname with ..", host: "a..example.com", in: input(good), want: ErrInvalidHostname},
		{name: "hostname with /", host: "example.com/../etc", in: input(good), want: ErrInvalidHostname},
		{name: "hostname with NUL", host: "example.com\x00.evil", in: input(good), want: ErrInvalidHostname},
		{name: "hostname of 300 characters", host: strings.Repeat("a.", 149) + "com", in: input(good), want: ErrInvalidHostname},
		{name: "hostname unicode bidi", host: "\u05d0a.example.com", in: input(good), want: ErrInvalidHostname},
		{name: "hostname IP address", host: "192.0.2.1", in: input(good), want: ErrInvalidHostname},
		{name: "empty hostname", host: " ", in: input(good), want: ErrInvalidHostname},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.host
			if h == "" {
				h = host
			}
			got, err := f.m.Import(context.Background(), h, tc.in, ImportOptions{})
			require.Nil(t, got)
			require.Error(t, err)
			require.True(t, errors.Is(err, tc.want), "got %v, want %v", err, tc.want)
			if tc.mentions != "" {
				require.Contains(t, err.Error(), tc.mentions)
			}
			for _, line := range keyLines(tc.in) {
				require.NotContains(t, err.Error(), line, "error leaks key material")
			}
			require.Equal(t, storedBefore, f.storedRecord(host), "stored record changed")
			require.Same(t, servedBefore, f.served(host), "served certificate changed")

			rep := f.m.Validate(tc.in, h)
			require.False(t, rep.Valid)
			require.ErrorIs(t, rep.Err(), tc.want)
		})
	}
}

// TestRequireTrustedChain refuses a chain that does not verify when the
// platform asks for it, and only warns otherwise.
func TestRequireTrustedChain(t *testing.T) {
	const host = "internal.example.com"
	strict := newFixture(t, func(c *Config) { c.RequireTrustedChain = true })
	leaf := strict.leaf([]string{host}, testpki.LeafOptions{})
	// The leaf alone, without its intermediate: incomplete.
	_, err := strict.m.Import(context.Background(), host, Input{Certificate: leaf.CertPEM(), PrivateKey: leaf.KeyPEM()}, ImportOptions{})
	require.ErrorIs(t, err, ErrIncompleteChain)
	require.Nil(t, strict.served(host))
	// With the intermediate as a separate chain input: accepted.
	_, err = strict.m.Import(context.Background(), host, Input{Certificate: leaf.CertPEM(), Chain: leaf.IntermediatesPEM(), PrivateKey: leaf.KeyPEM()}, ImportOptions{})
	require.NoError(t, err)

	lax := newFixture(t)
	h, err := lax.m.Import(context.Background(), host, Input{Certificate: leaf.CertPEM(), PrivateKey: leaf.KeyPEM()}, ImportOptions{})
	require.NoError(t, err)
	require.Contains(t, warningCodes(h.Custom), "incomplete_chain")
}

// TestImportRealWorldFormats imports what users actually have, made with
// OpenSSL 3: every key encoding, DER, PKCS#12 (modern and legacy), chains
// out of order, with duplicates and with the root.
func TestImportRealWorldFormats(t *testing.T) {
	f := newFixture(t)
	require.True(t, f.m.roots.AppendCertsFromPEM(readTestdata(t, "root.pem")))
	leaf, key, inter := readTestdata(t, "leaf.pem"), readTestdata(t, "leaf.key"), readTestdata(t, "intermediate.pem")
	tests := []struct {
		name     string
		in       Input
		warnings []string
	}{
		{"PEM leaf + separate chain + PKCS#8", Input{Certificate: leaf, Chain: inter, PrivateKey: key}, nil},
		{"full chain + PKCS#1", Input{Certificate: readTestdata(t, "fullchain.pem"), PrivateKey: readTestdata(t, "leaf-pkcs1.key")}, nil},
		{"DER certificate + DER key", Input{Certificate: readTestdata(t, "leaf.der"), Chain: inter, PrivateKey: readTestdata(t, "leaf-key.der")}, nil},
		{"chain out of order", Input{Certificate: readTestdata(t, "fullchain-wrong-order.pem"), PrivateKey: key}, []string{"chain_reordered", "root_dropped"}},
		{"duplicates and root", Input{Certificate: readTestdata(t, "fullchain-dups-root.pem"), PrivateKey: key}, []string{"duplicate_dropped", "root_dropped"}},
		{"PKCS#12 OpenSSL 3 default", Input{PKCS12: readTestdata(t, "leaf.pfx"), Password: "secret"}, []string{"root_dropped"}},
		{"PKCS#12 legacy", Input{PKCS12: readTestdata(t, "leaf-legacy.pfx"), Password: "secret"}, []string{"root_dropped"}},
		{"PKCS#12 empty password", Input{PKCS12: readTestdata(t, "leaf-nopass.pfx")}, []string{"root_dropped"}},
		{"openssl pkcs12 -nodes export", Input{Certificate: readTestdata(t, "leaf-pfx-export.pem")}, []string{"root_dropped"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := f.m.Import(context.Background(), "www.example.com", tc.in, ImportOptions{})
			require.NoError(t, err)
			codes := warningCodes(h.Custom)
			for _, w := range tc.warnings {
				require.Contains(t, codes, w)
			}
			require.NotContains(t, codes, "incomplete_chain")
			c := f.served("www.example.com")
			require.Len(t, c.Certificate, 2, "leaf and intermediate are served, the root is not")
			ic, err := x509.ParseCertificate(c.Certificate[1])
			require.NoError(t, err)
			require.True(t, ic.IsCA)
		})
	}
	for _, c := range [][3]string{{"leaf-ec.pem", "leaf-ec-sec1.key", "ec.example.com"}, {"leaf-ed25519.pem", "leaf-ed25519.key", "ed.example.com"}} {
		t.Run(c[0], func(t *testing.T) {
			_, err := f.m.Import(context.Background(), c[2], Input{Certificate: readTestdata(t, c[0]), Chain: inter, PrivateKey: readTestdata(t, c[1])}, ImportOptions{})
			require.NoError(t, err)
		})
	}
}

func warningCodes(c *Certificate) []string {
	var out []string
	for _, w := range c.Warnings {
		out = append(out, w.Code)
	}
	return out
}

// keyLines returns the base64 lines of the private key in an upload, which
// must never show up in an error.
func keyLines(in Input) []string {
	var out []string
	for _, l := range strings.Split(string(in.PrivateKey), "\n") {
		if len(l) > 20 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}
