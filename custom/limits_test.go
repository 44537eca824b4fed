package custom

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

// TestParseLimits refuses uploads over each limit with its typed error
// and a message that says what to upload instead.
func TestParseLimits(t *testing.T) {
	root := testpki.NewCA(t)
	l := root.Intermediate(t).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	long := root
	for range 11 {
		long = long.Intermediate(t)
	}
	longLeaf := long.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	sameName, sameKey := sameNameChain(t, 60, elliptic.P256())
	tests := []struct {
		name string
		in   Input
		lim  Limits
		want error
		msg  []string
	}{
		{"10 MB of one repeated leaf", Input{Certificate: bytes.Repeat(l.CertPEM(), 10<<20/len(l.CertPEM())), PrivateKey: l.KeyPEM()}, Limits{}, ErrInputTooLarge,
			[]string{"more than the 1048576 accepted", "a few KiB"}},
		{"over a configured size", Input{Certificate: l.ChainPEM(), PrivateKey: l.KeyPEM()}, Limits{MaxSize: 100}, ErrInputTooLarge, []string{"more than the 100 accepted"}},
		{"the password counts", Input{PKCS12: []byte{1}, Password: strings.Repeat("p", 200)}, Limits{MaxSize: 100}, ErrInputTooLarge, nil},
		{"1 MiB of one repeated leaf", Input{Certificate: bytes.Repeat(l.CertPEM(), 1<<20/len(l.CertPEM())-2), PrivateKey: l.KeyPEM()}, Limits{}, ErrTooManyCertificates,
			[]string{"PEM block 51", "more than 50 certificates"}},
		{"60 chained certificates of one name", Input{Certificate: testpki.CertsPEM(sameName...), PrivateKey: testpki.KeyPEMPKCS8(t, sameKey)}, Limits{}, ErrTooManyCertificates, nil},
		{"12 certificates in the chain", Input{Certificate: longLeaf.ChainPEM(), PrivateKey: longLeaf.KeyPEM()}, Limits{}, ErrChainTooLong,
			[]string{"more than 10 certificates", "upload only the leaf and the intermediates"}},
		{"a configured chain length", Input{Certificate: l.ChainPEM(), PrivateKey: l.KeyPEM()}, Limits{MaxChainLength: 1}, ErrChainTooLong, []string{"more than 1 certificates"}},
		{"9 keys", Input{Certificate: l.ChainPEM(), PrivateKey: bytes.Join(keyPEMs(t, DefaultMaxKeys+1), nil)}, Limits{}, ErrTooManyKeys,
			[]string{"PEM block 9", "more than 8 private keys"}},
		{"DER certificates over the limit", Input{Certificate: bytes.Repeat(l.Cert.Raw, 3), PrivateKey: l.KeyPEM()}, Limits{MaxCertificates: 2}, ErrTooManyCertificates,
			[]string{"DER certificate 3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ParseContext(context.Background(), tc.in, tc.lim)
			require.Nil(t, b)
			require.ErrorIs(t, err, tc.want)
			for _, m := range tc.msg {
				require.Contains(t, err.Error(), m)
			}
		})
	}
}

// keyPEMs returns n fresh ECDSA keys as PKCS#8 PEM.
func keyPEMs(tb testing.TB, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = testpki.KeyPEMPKCS8(tb, testpki.NewKey(tb, testpki.ECDSAP256))
	}
	return out
}

// TestAssembleRepeatedNames refuses a chain naming one CA three times
// (verifiers explore every combination of same-name certificates) and
// accepts two, as across a key rollover.
func TestAssembleRepeatedNames(t *testing.T) {
	reversed := func(certs []*x509.Certificate) []byte {
		out := slices.Clone(certs)
		slices.Reverse(out)
		return testpki.CertsPEM(out...)
	}
	four, key4 := sameNameChain(t, 4, elliptic.P256())
	_, err := Parse(Input{Certificate: reversed(four), PrivateKey: testpki.KeyPEMPKCS8(t, key4)})
	require.ErrorIs(t, err, ErrTooManyCertificates)
	require.Contains(t, err.Error(), "names the same CA three times")

	three, key3 := sameNameChain(t, 3, elliptic.P256())
	b, err := Parse(Input{Certificate: reversed(three), PrivateKey: testpki.KeyPEMPKCS8(t, key3)})
	require.NoError(t, err)
	require.Equal(t, []*x509.Certificate{three[2], three[1]}, b.Certificates())
	require.Equal(t, []string{NoteRootDropped}, noteCodes(b))
}

// TestParseCancel returns the context's error.
func TestParseCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := ParseContext(ctx, Input{Certificate: fixture(t, "fullchain.pem"), PrivateKey: fixture(t, "leaf.key")}, Limits{})
	require.ErrorIs(t, err, context.Canceled)
	require.True(t, strings.HasPrefix(err.Error(), "custom: "))
}

// TestAssembleSignatureBudget refuses an upload whose certificates share
// an issuer's name and key identifier without verifying, once checking
// them costs more than the budget; P-256 decoys fit in it.
func TestAssembleSignatureBudget(t *testing.T) {
	leaf, key, ca := decoyedLeaf(t, "Decoy CA")
	t.Run("48 P-521 decoys", func(t *testing.T) {
		certs := append(fakeDecoys(t, 48, "Decoy CA", newECKey(t, elliptic.P521()).Public()), ca, leaf)
		_, err := Parse(Input{Certificate: testpki.CertsPEM(certs...), PrivateKey: testpki.KeyPEMPKCS8(t, key)})
		require.ErrorIs(t, err, ErrTooManyCertificates)
		require.Contains(t, err.Error(), `49 certificates named "CN=Decoy CA"`, "48 decoys and the issuer")
		require.Contains(t, err.Error(), "remove the certificates that are not part of the leaf's chain")
	})
	t.Run("48 P-256 decoys", func(t *testing.T) {
		certs := append(decoys(t, 48, "Decoy CA", newECKey(t, elliptic.P256())), ca, leaf)
		b, err := Parse(Input{Certificate: testpki.CertsPEM(certs...), PrivateKey: testpki.KeyPEMPKCS8(t, key)})
		require.NoError(t, err)
		require.True(t, leaf.Equal(b.Leaf))
		require.Empty(t, b.Intermediates)
		require.Equal(t, []string{NoteRootDropped}, noteCodes(b), "49 equal notes merged")
		require.Contains(t, b.Notes[0].Message, "(49 times)")
	})
}

// TestAssembleTwoLeaves keeps the leaf that matches the key and drops
// another server certificate with a note.
func TestAssembleTwoLeaves(t *testing.T) {
	inter := testpki.NewCA(t).Intermediate(t)
	l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	sibling := inter.Leaf(t, []string{"b.test"}, testpki.LeafOptions{})
	stranger := testpki.NewCA(t).Leaf(t, []string{"c.test"}, testpki.LeafOptions{})
	tests := []struct {
		name  string
		certs []byte
		drops []string
	}{
		{"another leaf of the same CA first", testpki.CertsPEM(sibling.Cert, l.Cert, inter.Cert), []string{"CN=b.test"}},
		{"a leaf of another CA last", testpki.CertsPEM(l.Cert, inter.Cert, stranger.Cert), []string{"CN=c.test"}},
		{"both", testpki.CertsPEM(stranger.Cert, l.Cert, sibling.Cert, inter.Cert), []string{"CN=c.test", "CN=b.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse(Input{Certificate: tc.certs, PrivateKey: l.KeyPEM()})
			require.NoError(t, err)
			require.Equal(t, []string{"a.test", inter.Cert.Subject.CommonName}, subjects(b))
			var dropped []string
			for _, n := range b.Notes {
				if n.Code == NoteUnrelatedDropped {
					dropped = append(dropped, n.Message)
					require.Contains(t, n.Message, "CN=a.test")
				}
			}
			require.Len(t, dropped, len(tc.drops))
			for i, d := range tc.drops {
				require.Contains(t, dropped[i], d)
			}
		})
	}
}

// TestMessagesBounded cuts names from the upload and caps the notes.
func TestMessagesBounded(t *testing.T) {
	root := testpki.NewCA(t)
	l := root.Intermediate(t).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	long := strings.Repeat("x", 5000)
	var strangers, roots [][]byte
	for i := range 20 {
		ca := testpki.NewCA(t, testpki.CAOptions{CommonName: string(rune('a'+i)) + long})
		strangers = append(strangers, ca.Intermediate(t, testpki.CAOptions{CommonName: long}).CertPEM())
		roots = append(roots, ca.CertPEM())
	}
	t.Run("error listing unrelated certificates", func(t *testing.T) {
		_, err := Parse(Input{Certificate: cat(l.ChainPEM(), bytes.Join(strangers, nil)), PrivateKey: l.KeyPEM()})
		require.ErrorIs(t, err, ErrUnrelatedCertificate)
		require.LessOrEqual(t, len(err.Error()), maxMessage+3)
		require.Contains(t, err.Error(), "and 17 more")
	})
	t.Run("notes about 20 roots", func(t *testing.T) {
		b, err := Parse(Input{Certificate: cat(l.ChainPEM(), bytes.Join(roots, nil)), PrivateKey: l.KeyPEM()})
		require.NoError(t, err)
		require.Len(t, b.Notes, maxNotes)
		require.Equal(t, NoteOmitted, b.Notes[maxNotes-1].Code)
		require.Contains(t, b.Notes[maxNotes-1].Message, "5 more notes")
		for _, n := range b.Notes {
			require.LessOrEqual(t, len(n.Message), 300)
		}
	})
	t.Run("bound keeps the sentinel", func(t *testing.T) {
		err := bound(fmt.Errorf("%w: %s", ErrInvalidPEM, strings.Repeat("é", 2000)))
		require.ErrorIs(t, err, ErrInvalidPEM)
		require.LessOrEqual(t, len(err.Error()), maxMessage+3)
		require.True(t, utf8.ValidString(err.Error()))
	})
}
