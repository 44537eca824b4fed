package custom

import (
	"crypto/x509"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

func TestAssembleChain(t *testing.T) {
	root := testpki.NewCA(t)
	i1 := root.Intermediate(t)
	i2 := i1.Intermediate(t)
	l := i2.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	want := []*x509.Certificate{l.Cert, i2.Cert, i1.Cert}
	pemOf := testpki.CertsPEM
	tests := []struct {
		name      string
		certs     []byte
		wantNotes []string
	}{
		{"in order", pemOf(l.Cert, i2.Cert, i1.Cert), nil},
		{"leaf last", pemOf(i2.Cert, i1.Cert, l.Cert), []string{NoteChainReordered}},
		{"intermediates swapped", pemOf(l.Cert, i1.Cert, i2.Cert), []string{NoteChainReordered}},
		{"shuffled with root", pemOf(i1.Cert, root.Cert, l.Cert, i2.Cert), []string{NoteRootDropped, NoteChainReordered}},
		{"root in order at the end", pemOf(l.Cert, i2.Cert, i1.Cert, root.Cert), []string{NoteRootDropped}},
		{"duplicate intermediate", pemOf(l.Cert, i2.Cert, i2.Cert, i1.Cert), []string{NoteDuplicateDropped}},
		{"duplicate leaf", pemOf(l.Cert, l.Cert, i2.Cert, i1.Cert), []string{NoteDuplicateDropped}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse(Input{Certificate: tc.certs, PrivateKey: l.KeyPEM()})
			require.NoError(t, err)
			require.Equal(t, want, b.Certificates())
			require.Equal(t, tc.wantNotes, noteCodes(b))
			for _, n := range b.Notes {
				require.NotEmpty(t, n.Message)
			}
		})
	}
}

// TestAssembleRootNotLinked drops a self-signed root even when the
// intermediate linking it is missing: a root is never sent.
func TestAssembleRootNotLinked(t *testing.T) {
	root := testpki.NewCA(t)
	i1 := root.Intermediate(t)
	l := i1.Intermediate(t).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	b, err := Parse(Input{Certificate: testpki.CertsPEM(l.Cert, root.Cert), PrivateKey: l.KeyPEM()})
	require.NoError(t, err)
	require.Empty(t, b.Intermediates)
	require.Equal(t, []string{NoteRootDropped}, noteCodes(b))
	require.Contains(t, b.Notes[0].Message, root.Cert.Subject.CommonName)
}

// TestFindLeafPrefersKey picks the certificate matching the key even when
// another certificate also looks like a leaf.
func TestFindLeafPrefersKey(t *testing.T) {
	ca := testpki.NewCA(t)
	a := ca.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	b := ca.Leaf(t, []string{"b.test"}, testpki.LeafOptions{})
	certs := []*x509.Certificate{a.Cert, b.Cert}
	require.Equal(t, 1, findLeaf(certs, b.Key))
	require.Equal(t, 0, findLeaf(certs, a.Key))
	require.Equal(t, 0, findLeaf(certs, nil), "without a key the first leaf-looking certificate wins")
}

func TestFindLeafStructure(t *testing.T) {
	root := testpki.NewCA(t)
	inter := root.Intermediate(t)
	l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	caLeaf := inter.Leaf(t, []string{"ca.test"}, testpki.LeafOptions{IsCA: true})
	tests := []struct {
		name  string
		certs []*x509.Certificate
		want  int
	}{
		{"leaf after its issuers", []*x509.Certificate{root.Cert, inter.Cert, l.Cert}, 2},
		{"non-CA preferred over an unrelated CA", []*x509.Certificate{caLeaf.Cert, l.Cert}, 1},
		{"CA uploaded alone with its issuer", []*x509.Certificate{root.Cert, inter.Cert}, 1},
		{"self-signed alone", []*x509.Certificate{root.Cert}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, findLeaf(tc.certs, nil))
		})
	}
}

// TestParseMismatchedKey keeps the structural leaf when the key matches
// nothing (validate reports the mismatch) and TLSCertificate refuses it.
func TestParseMismatchedKey(t *testing.T) {
	inter := testpki.NewCA(t).Intermediate(t)
	l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	other := inter.Leaf(t, []string{"b.test"}, testpki.LeafOptions{})
	b, err := Parse(Input{Certificate: l.ChainPEM(), PrivateKey: other.KeyPEM()})
	require.NoError(t, err)
	require.True(t, l.Cert.Equal(b.Leaf))
	_, err = b.TLSCertificate()
	require.ErrorIs(t, err, ErrKeyMismatch)
	require.Contains(t, err.Error(), "upload the key that was used to create the CSR")
}

// TestParseSHA1Chain links certificates whose SHA-1 signatures Go will not
// verify, by names and key identifiers.
func TestParseSHA1Chain(t *testing.T) {
	root := testpki.NewCA(t, testpki.CAOptions{KeyType: testpki.RSA2048})
	inter := root.Intermediate(t, testpki.CAOptions{KeyType: testpki.RSA2048, SignatureAlgorithm: x509.SHA1WithRSA})
	l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{SignatureAlgorithm: x509.SHA1WithRSA})
	b, err := Parse(Input{Certificate: testpki.CertsPEM(root.Cert, inter.Cert, l.Cert), PrivateKey: l.KeyPEM()})
	require.NoError(t, err)
	require.Equal(t, []*x509.Certificate{l.Cert, inter.Cert}, b.Certificates())
	require.Equal(t, []string{NoteRootDropped, NoteChainReordered}, noteCodes(b))
}
