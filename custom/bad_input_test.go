package custom

import (
	"bytes"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

// TestParseBadInput checks that every kind of bad upload gets its typed
// error and a message that says what to fix.
func TestParseBadInput(t *testing.T) {
	leaf, key, inter := fixture(t, "leaf.pem"), fixture(t, "leaf.key"), fixture(t, "intermediate.pem")
	full := fixture(t, "fullchain.pem")
	half := leaf[:len(leaf)/2]
	// The intermediate with its END line cut off, in the middle of a chain.
	brokenInter := bytes.Replace(inter, []byte("-----END CERTIFICATE-----"), nil, 1)
	badBase64 := bytes.Replace(leaf, []byte("MII"), []byte("M!I"), 1)
	junkCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not a certificate")})
	junkKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x00}})
	block := func(typ string) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: []byte{1, 2, 3}}) }
	keyDER := fixture(t, "leaf-key.der")
	encryptedDER := func() []byte {
		b, _ := pem.Decode(fixture(t, "leaf-encrypted-pkcs8.key"))
		return b.Bytes
	}()
	// A second, unrelated leaf from another hierarchy.
	other := testpki.NewCA(t).Leaf(t, []string{"other.test"}, testpki.LeafOptions{})
	third := testpki.NewCA(t).Leaf(t, []string{"third.test"}, testpki.LeafOptions{})

	tests := []struct {
		name    string
		in      Input
		wantErr error
		wantMsg []string // substrings of the message: what to fix
	}{
		{"empty input", Input{}, ErrNoCertificate, []string{"upload the certificate"}},
		{"blank input", Input{Certificate: []byte(" \n\t\n"), PrivateKey: []byte("\n")}, ErrNoCertificate, []string{"upload the certificate"}},
		{"certificate without key", Input{Certificate: full}, ErrNoPrivateKey, []string{"upload the private key"}},
		{"key without certificate", Input{PrivateKey: key}, ErrNoCertificate, []string{"only a private key", "also upload the certificate"}},
		{"DER key uploaded as the certificate", Input{Certificate: keyDER}, ErrNoCertificate, []string{"also upload the certificate"}},
		{"truncated PEM", Input{Certificate: half, PrivateKey: key}, ErrInvalidPEM, []string{"truncated", "paste the whole file"}},
		{"truncated intermediate in a chain", Input{Certificate: cat(leaf, brokenInter, fixture(t, "root.pem")), PrivateKey: key}, ErrInvalidPEM, []string{"block 2", "truncated"}},
		{"invalid base64", Input{Certificate: badBase64, PrivateKey: key}, ErrInvalidPEM, []string{"block 1", "-----BEGIN and -----END"}},
		{"garbage text", Input{Certificate: []byte("hello, this is my certificate"), PrivateKey: key}, ErrInvalidPEM, []string{"neither PEM nor DER", "-----BEGIN CERTIFICATE-----"}},
		{"garbage binary", Input{Certificate: []byte{0xff, 0x00, 0x13, 0x37, 0x42}, PrivateKey: key}, ErrInvalidPEM, []string{"neither PEM nor DER"}},
		{"garbage key", Input{Certificate: full, PrivateKey: []byte("my key")}, ErrInvalidPEM, []string{"private key", "neither PEM nor DER"}},
		{"CERTIFICATE block with junk", Input{Certificate: junkCert, PrivateKey: key}, ErrInvalidPEM, []string{"not a valid certificate", "as your CA issued it"}},
		{"PRIVATE KEY block with junk", Input{Certificate: full, PrivateKey: junkKey}, ErrInvalidPEM, []string{"private key", "upload an unencrypted PEM key"}},
		{"CSR instead of certificate", Input{Certificate: fixture(t, "leaf.csr"), PrivateKey: key}, ErrUnsupportedFormat, []string{"certificate signing request", "upload the certificate your CA issued"}},
		{"PKCS#7 bundle", Input{Certificate: fixture(t, "fullchain.p7b"), PrivateKey: key}, ErrUnsupportedFormat, []string{"openssl pkcs7 -print_certs"}},
		{"public key instead of private key", Input{Certificate: full, PrivateKey: block("PUBLIC KEY")}, ErrUnsupportedFormat, []string{"public key", "upload the private key"}},
		{"unknown PEM block type", Input{Certificate: cat(full, block("FOO BAR")), PrivateKey: key}, ErrUnsupportedFormat, []string{`"FOO BAR"`, "only CERTIFICATE and PRIVATE KEY"}},
		{"OpenSSH key", Input{Certificate: full, PrivateKey: block("OPENSSH PRIVATE KEY")}, ErrUnsupportedFormat, []string{"OpenSSH", "upload the PEM private key"}},
		{"DER that is not a certificate", Input{Certificate: []byte{0x30, 0x03, 0x02, 0x01, 0x05}, PrivateKey: key}, ErrUnsupportedFormat, []string{"neither a certificate nor a private key"}},
		{"PKCS#12 uploaded as the certificate", Input{Certificate: fixture(t, "leaf.pfx")}, ErrUnsupportedFormat, []string{"PKCS#12", "with its password"}},
		{"DSA key", Input{Certificate: full, PrivateKey: block("DSA PRIVATE KEY")}, ErrUnsupportedKeyType, []string{"RSA, ECDSA and Ed25519"}},
		{"X25519 key", Input{Certificate: full, PrivateKey: fixture(t, "x25519.key")}, ErrUnsupportedKeyType, []string{"upload an RSA, ECDSA or Ed25519 key"}},
		{"encrypted PKCS#8 key", Input{Certificate: full, PrivateKey: fixture(t, "leaf-encrypted-pkcs8.key")}, ErrEncryptedKey, []string{"openssl pkey -in key.pem -out key-decrypted.pem"}},
		{"traditional encrypted key", Input{Certificate: full, PrivateKey: fixture(t, "leaf-encrypted-traditional.key")}, ErrEncryptedKey, []string{"openssl pkey -in key.pem -out key-decrypted.pem"}},
		{"encrypted PKCS#8 DER key", Input{Certificate: full, PrivateKey: encryptedDER}, ErrEncryptedKey, []string{"decrypt it"}},
		{"encrypted key inside the certificate PEM", Input{Certificate: cat(full, fixture(t, "leaf-encrypted-pkcs8.key"))}, ErrEncryptedKey, []string{"decrypt it"}},
		{"PKCS#12 with a wrong password", Input{PKCS12: fixture(t, "leaf.pfx"), Password: "wrong"}, ErrBadPassword, []string{"enter the password that was set when it was exported"}},
		{"legacy PKCS#12 with a wrong password", Input{PKCS12: fixture(t, "leaf-legacy.pfx"), Password: "wrong"}, ErrBadPassword, []string{"enter the password"}},
		{"PKCS#12 without its password", Input{PKCS12: fixture(t, "leaf.pfx")}, ErrBadPassword, []string{"protected by a password"}},
		{"PKCS#12 asking for millions of iterations", Input{PKCS12: fixture(t, "leaf-many-iterations.pfx"), Password: pfxPass}, ErrPKCS12TooExpensive, []string{"2000000 key-derivation iterations", "export it again with default settings"}},
		{"PKCS#12 that is garbage", Input{PKCS12: []byte("not a pfx"), Password: pfxPass}, ErrUnsupportedFormat, []string{"not a valid PKCS#12"}},
		{"PKCS#12 holding PEM", Input{PKCS12: full, Password: pfxPass}, ErrUnsupportedFormat, []string{"upload PEM files as the certificate and private key"}},
		{"PKCS#12 and PEM together", Input{PKCS12: fixture(t, "leaf.pfx"), Password: pfxPass, Certificate: leaf}, ErrUnsupportedFormat, []string{"upload either"}},
		{"unrelated intermediate", Input{Certificate: fixture(t, "fullchain-unrelated.pem"), PrivateKey: key}, ErrUnrelatedCertificate, []string{"Unrelated Issuing CA", "remove it from the chain"}},
		{"unrelated leaf and a key matching neither", Input{Certificate: cat(full, other.CertPEM()), PrivateKey: third.KeyPEM()}, ErrUnrelatedCertificate, []string{"CN=other.test", "remove it"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse(tc.in)
			require.Error(t, err)
			require.Nil(t, b)
			require.ErrorIs(t, err, tc.wantErr)
			msg := err.Error()
			require.True(t, strings.HasPrefix(msg, "custom: "), "message %q lacks the package prefix", msg)
			for _, want := range tc.wantMsg {
				require.Contains(t, msg, want)
			}
			require.NotContains(t, msg, pfxPass, "the password must never appear in an error")
			for _, line := range bodyLines(tc.in.PrivateKey, tc.in.Certificate, tc.in.PKCS12) {
				require.NotContains(t, msg, line, "input material must never appear in an error")
			}
			for _, other := range allSentinels {
				if other != tc.wantErr {
					require.False(t, errors.Is(err, other), "error also matches %v", other)
				}
			}
		})
	}
}

var allSentinels = []error{
	ErrInvalidPEM, ErrUnsupportedFormat, ErrEncryptedKey, ErrBadPassword, ErrNoCertificate,
	ErrNoPrivateKey, ErrUnsupportedKeyType, ErrUnrelatedCertificate, ErrKeyMismatch,
	ErrInputTooLarge, ErrTooManyCertificates, ErrTooManyKeys, ErrChainTooLong, ErrPKCS12TooExpensive,
}

// bodyLines returns the long lines (PEM base64 bodies) of the inputs.
func bodyLines(inputs ...[]byte) []string {
	var out []string
	for _, in := range inputs {
		for _, line := range strings.Split(string(in), "\n") {
			if line = strings.TrimSpace(line); len(line) >= 40 {
				out = append(out, line)
			}
		}
	}
	return out
}
