package custom

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

const (
	interCN = "Certs Test Intermediate CA"
	pfxPass = "secret"
)

func TestParseFixtures(t *testing.T) {
	leaf, key, inter := fixture(t, "leaf.pem"), fixture(t, "leaf.key"), fixture(t, "intermediate.pem")
	tests := []struct {
		name      string
		in        Input
		wantChain []string
		wantKey   string // "rsa", "ecdsa", "ed25519"
		wantNotes []string
	}{
		{"PEM full chain and PKCS#8 key", Input{Certificate: fixture(t, "fullchain.pem"), PrivateKey: key},
			[]string{"example.com", interCN}, "rsa", nil},
		{"PEM leaf, PKCS#1 key, separate chain", Input{Certificate: leaf, PrivateKey: fixture(t, "leaf-pkcs1.key"), Chain: inter},
			[]string{"example.com", interCN}, "rsa", nil},
		{"DER certificate and DER key", Input{Certificate: fixture(t, "leaf.der"), PrivateKey: fixture(t, "leaf-key.der"), Chain: inter},
			[]string{"example.com", interCN}, "rsa", nil},
		{"DER certificate without chain", Input{Certificate: fixture(t, "leaf.der"), PrivateKey: key},
			[]string{"example.com"}, "rsa", nil},
		{"ECDSA leaf, SEC1 key after EC PARAMETERS", Input{Certificate: fixture(t, "leaf-ec.pem"), PrivateKey: fixture(t, "leaf-ec-sec1.key"), Chain: inter},
			[]string{"ec.example.com", interCN}, "ecdsa", nil},
		{"Ed25519 leaf and PKCS#8 key", Input{Certificate: fixture(t, "leaf-ed25519.pem"), PrivateKey: fixture(t, "leaf-ed25519.key"), Chain: inter},
			[]string{"ed.example.com", interCN}, "ed25519", nil},
		{"key block inside the certificate PEM", Input{Certificate: cat(key, fixture(t, "fullchain.pem"))},
			[]string{"example.com", interCN}, "rsa", nil},
		{"combined PEM uploaded as the key", Input{PrivateKey: cat(fixture(t, "fullchain.pem"), key)},
			[]string{"example.com", interCN}, "rsa", nil},
		{"openssl pkcs12 -nodes export with Bag Attributes", Input{Certificate: fixture(t, "leaf-pfx-export.pem")},
			[]string{"example.com", interCN}, "rsa", []string{NoteRootDropped}},
		{"PKCS#12 with OpenSSL 3 defaults (AES-256)", Input{PKCS12: fixture(t, "leaf.pfx"), Password: pfxPass},
			[]string{"example.com", interCN}, "rsa", []string{NoteRootDropped}},
		{"PKCS#12 made with -legacy", Input{PKCS12: fixture(t, "leaf-legacy.pfx"), Password: pfxPass},
			[]string{"example.com", interCN}, "rsa", []string{NoteRootDropped}},
		{"PKCS#12 with an empty password", Input{PKCS12: fixture(t, "leaf-nopass.pfx")},
			[]string{"example.com", interCN}, "rsa", []string{NoteRootDropped}},
		{"full chain in wrong order is reordered", Input{Certificate: fixture(t, "fullchain-wrong-order.pem"), PrivateKey: key},
			[]string{"example.com", interCN}, "rsa", []string{NoteRootDropped, NoteChainReordered}},
		{"duplicates and root are dropped", Input{Certificate: fixture(t, "fullchain-dups-root.pem"), PrivateKey: key},
			[]string{"example.com", interCN}, "rsa", []string{NoteDuplicateDropped, NoteDuplicateDropped, NoteRootDropped}},
		{"Windows line endings", Input{Certificate: crlf(fixture(t, "fullchain.pem")), PrivateKey: crlf(key)},
			[]string{"example.com", interCN}, "rsa", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.wantChain, subjects(b))
			require.Equal(t, tc.wantNotes, noteCodes(b))
			require.Equal(t, tc.wantKey, keyKind(b.PrivateKey))
			require.True(t, keyMatches(b.Leaf, b.PrivateKey), "the key must belong to the leaf")
			_, err = b.TLSCertificate()
			require.NoError(t, err)
		})
	}
}

func crlf(b []byte) []byte { return []byte(strings.ReplaceAll(string(b), "\n", "\r\n")) }

func keyKind(k any) string {
	switch k.(type) {
	case *rsa.PrivateKey:
		return "rsa"
	case *ecdsa.PrivateKey:
		return "ecdsa"
	case ed25519.PrivateKey:
		return "ed25519"
	}
	return "unknown"
}

// TestParseKeyEncodings covers every key type in every encoding it has.
func TestParseKeyEncodings(t *testing.T) {
	ca := testpki.NewCA(t)
	inter := ca.Intermediate(t)
	pkcs8 := func(l *testpki.Leaf) []byte { return l.KeyPEM() }
	pkcs1 := func(l *testpki.Leaf) []byte { return testpki.KeyPEMPKCS1(t, l.Key) }
	sec1 := func(l *testpki.Leaf) []byte { return testpki.KeyPEMSEC1(t, l.Key) }
	der := func(l *testpki.Leaf) []byte { return testpki.KeyDER(t, l.Key) }
	// A PKCS#8 key under the PKCS#1 label: mislabelled files are common.
	mislabelled := func(l *testpki.Leaf) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: testpki.KeyDER(t, l.Key)})
	}
	tests := []struct {
		name   string
		kt     testpki.KeyType
		encode func(*testpki.Leaf) []byte
	}{
		{"ECDSA P-256 PKCS#8", testpki.ECDSAP256, pkcs8},
		{"ECDSA P-256 SEC1", testpki.ECDSAP256, sec1},
		{"ECDSA P-384 SEC1", testpki.ECDSAP384, sec1},
		{"ECDSA P-384 DER", testpki.ECDSAP384, der},
		{"RSA 2048 PKCS#1", testpki.RSA2048, pkcs1},
		{"RSA 2048 PKCS#8", testpki.RSA2048, pkcs8},
		{"RSA 4096 PKCS#1", testpki.RSA4096, pkcs1},
		{"RSA 4096 DER", testpki.RSA4096, der},
		{"RSA 1024 PKCS#8 (weakness is validate's concern)", testpki.RSA1024, pkcs8},
		{"Ed25519 PKCS#8", testpki.Ed25519, pkcs8},
		{"Ed25519 DER", testpki.Ed25519, der},
		{"PKCS#8 under an RSA PRIVATE KEY label", testpki.ECDSAP256, mislabelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{KeyType: tc.kt})
			b, err := Parse(Input{Certificate: l.ChainPEM(), PrivateKey: tc.encode(l)})
			require.NoError(t, err)
			require.True(t, l.Cert.Equal(b.Leaf))
			require.Len(t, b.Intermediates, 1)
			require.True(t, inter.Cert.Equal(b.Intermediates[0]))
			require.True(t, keyMatches(l.Cert, b.PrivateKey))
		})
	}
}

// TestParseDERChain accepts a DER intermediate in Chain and concatenated
// DER certificates in Certificate.
func TestParseDERChain(t *testing.T) {
	inter := testpki.NewCA(t).Intermediate(t)
	l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	for name, in := range map[string]Input{
		"DER chain":           {Certificate: l.Cert.Raw, Chain: inter.Cert.Raw, PrivateKey: l.KeyPEM()},
		"concatenated DER":    {Certificate: cat(inter.Cert.Raw, l.Cert.Raw), PrivateKey: l.KeyPEM()},
		"PEM leaf, DER key":   {Certificate: l.ChainPEM(), PrivateKey: testpki.KeyDER(t, l.Key)},
		"X509 CERTIFICATE":    {Certificate: pem.EncodeToMemory(&pem.Block{Type: "X509 CERTIFICATE", Bytes: l.Cert.Raw}), Chain: inter.CertPEM(), PrivateKey: l.KeyPEM()},
		"text between blocks": {Certificate: cat([]byte("leaf:\n"), l.CertPEM(), []byte("issuer:\n"), inter.CertPEM(), []byte("end\n")), PrivateKey: l.KeyPEM()},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := Parse(in)
			require.NoError(t, err)
			require.Equal(t, []*x509.Certificate{l.Cert, inter.Cert}, b.Certificates())
		})
	}
}
