package custom

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
)

// The hostile corpus, by class. Each function returns inputs built to be
// slow or large in one way, plus the worst accepted input of the class.

func corpusSizeInputs(tb testing.TB) []corpusInput {
	l := testpki.NewCA(tb).Intermediate(tb).Leaf(tb, []string{"a.test"}, testpki.LeafOptions{})
	leaf, key := l.CertPEM(), l.KeyPEM()
	return []corpusInput{
		{"size", "10 MB of one repeated leaf", Input{Certificate: bytes.Repeat(leaf, 10<<20/len(leaf)), PrivateKey: key}, ErrInputTooLarge},
		{"size", "1 MiB of one repeated leaf", Input{Certificate: bytes.Repeat(leaf, (DefaultMaxSize-len(key))/len(leaf)), PrivateKey: key}, ErrTooManyCertificates},
		{"size", "50 copies of the leaf", Input{Certificate: bytes.Repeat(leaf, DefaultMaxCertificates), PrivateKey: key}, nil},
	}
}

func corpusChainInputs(tb testing.TB) []corpusInput {
	var out []corpusInput
	for _, c := range []struct {
		name  string
		n     int
		curve elliptic.Curve
		want  error
	}{
		{"1,000 same-name P-256 certificates, chained", 1000, elliptic.P256(), ErrTooManyCertificates},
		{"50 same-name P-256 certificates, chained, root first", 50, elliptic.P256(), ErrTooManyCertificates},
		{"50 same-name P-521 certificates, chained, root first", 50, elliptic.P521(), ErrTooManyCertificates},
	} {
		certs, key := sameNameChain(tb, c.n, c.curve)
		out = append(out, corpusInput{"chain", c.name, Input{Certificate: testpki.CertsPEM(certs...), PrivateKey: testpki.KeyPEMPKCS8(tb, key)}, c.want})
	}
	// Past the certificate limit only the count matters: these are chained
	// by name and key identifier, with P-521 keys but P-256 signatures (250
	// P-521 signatures take seconds to make under the race detector).
	certs, key := fakeSameNameChain(tb, 250, elliptic.P521())
	out = append(out, corpusInput{"chain", "250 same-name P-521 certificates, chained", Input{Certificate: testpki.CertsPEM(certs...), PrivateKey: testpki.KeyPEMPKCS8(tb, key)}, ErrTooManyCertificates})
	for _, d := range []struct {
		name  string
		caKey crypto.Signer
		decoy interface{ Public() crypto.PublicKey }
	}{
		{"48 P-521 decoys of the issuer", newECKey(tb, elliptic.P256()), newECKey(tb, elliptic.P521())},
		{"48 RSA-8192 (e = 2^31-1) decoys of the issuer", rsa8192(tb), fakeRSAKey{8192, 1<<31 - 1}},
	} {
		leaf, key, ca := decoyedLeafWith(tb, "Decoy CA", d.caKey)
		certs := append(fakeDecoys(tb, 48, "Decoy CA", d.decoy.Public()), ca, leaf)
		out = append(out, corpusInput{"chain", d.name, Input{Certificate: testpki.CertsPEM(certs...), PrivateKey: testpki.KeyPEMPKCS8(tb, key)}, ErrTooManyCertificates})
	}
	ca := testpki.NewCA(tb, testpki.CAOptions{Key: newECKey(tb, elliptic.P521())})
	for range DefaultMaxChainLength - 1 {
		ca = ca.Intermediate(tb, testpki.CAOptions{Key: newECKey(tb, elliptic.P521())})
	}
	l := ca.Leaf(tb, []string{"a.test"}, testpki.LeafOptions{Key: newECKey(tb, elliptic.P521())})
	chain := testpki.CertsPEM(append([]*x509.Certificate{l.Root}, l.Chain...)...) // root first: reordered
	return append(out, corpusInput{"chain", "10 P-521 certificates and the root, reversed (accepted)", Input{Certificate: cat(chain, l.CertPEM()), PrivateKey: l.KeyPEM()}, nil})
}

// fakeSameNameChain is sameNameChain with four keys of curve taking turns
// and signatures by a throwaway P-256 key.
func fakeSameNameChain(tb testing.TB, n int, curve elliptic.Curve) ([]*x509.Certificate, crypto.Signer) {
	keys := []crypto.Signer{newECKey(tb, curve), newECKey(tb, curve), newECKey(tb, curve), newECKey(tb, curve)}
	signer := newECKey(tb, elliptic.P256())
	parent := &x509.Certificate{Subject: pkix.Name{CommonName: "Same Name"}, SubjectKeyId: sameSKI, PublicKey: signer.Public()}
	certs := make([]*x509.Certificate, n)
	for i := range certs {
		certs[i] = mintFrom(tb, int64(i+1), "Same Name", i < n-1, sameSKI, keys[i%4].Public(), parent, signer)
	}
	return certs, keys[(n-1)%4]
}

// rsa8192 is the corpus's slowest key: 8192 bits, exponent 2^31-1.
func rsa8192(tb testing.TB) *rsa.PrivateKey {
	block, _ := pem.Decode(fixture(tb, "rsa8192-e31.key"))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

func corpusKeyInputs(tb testing.TB) []corpusInput {
	ca := testpki.NewCA(tb)
	var leaves []*x509.Certificate
	var keys [][]byte
	for i := range DefaultMaxCertificates {
		l := ca.Leaf(tb, []string{fmt.Sprintf("h%d.test", i)}, testpki.LeafOptions{})
		leaves = append(leaves, l.Cert)
		if i >= DefaultMaxCertificates-DefaultMaxKeys {
			keys = append(keys, l.KeyPEM())
		}
	}
	ed := testpki.KeyPEMPKCS8(tb, testpki.NewKey(tb, testpki.Ed25519))
	edLeaf := testpki.CertsPEM(leaves[0])
	big8192 := testpki.KeyPEMPKCS8(tb, rsa8192(tb))
	return []corpusInput{
		{"keys", "10,000 keys and 10,000 certificates", Input{Certificate: bytes.Repeat(edLeaf, 10_000), PrivateKey: bytes.Repeat(ed, 10_000)}, ErrInputTooLarge},
		{"keys", "1 MiB of Ed25519 keys", Input{Certificate: edLeaf, PrivateKey: bytes.Repeat(ed, (DefaultMaxSize-len(edLeaf))/len(ed))}, ErrTooManyKeys},
		{"keys", "8 keys and 50 leaves, the last of each matching (accepted)", Input{Certificate: testpki.CertsPEM(leaves...), PrivateKey: bytes.Join(keys, nil)}, nil},
		{"keys", "8 RSA-8192 keys matching nothing (accepted)", Input{Certificate: edLeaf, PrivateKey: bytes.Repeat(big8192, DefaultMaxKeys)}, nil},
		{"keys", "an RSA private key of 16,384 bits", Input{Certificate: edLeaf, PrivateKey: hugeRSAKey(tb, 16384, 16384)}, ErrUnsupportedKeyType},
		{"keys", "an RSA private key with 100 KB primes", Input{Certificate: edLeaf, PrivateKey: hugeRSAKey(tb, 2048, 800_000)}, ErrInvalidPEM},
		{"keys", "a certificate with an RSA key of 16,384 bits", Input{Certificate: testpki.CertsPEM(fakeRSACert(tb, 16384)), PrivateKey: ed}, ErrUnsupportedKeyType},
		{"keys", "an RSA private key with 900 additional primes", Input{Certificate: edLeaf, PrivateKey: multiPrimeKey(tb, 900)}, ErrInvalidPEM},
	}
}

// multiPrimeKey is a PKCS#1 key whose 2048-bit values are random, with n
// additional primes (RFC 8017 multi-prime RSA).
func multiPrimeKey(tb testing.TB, n int) []byte {
	v, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 2048))
	type prime struct{ Prime, Exp, Coeff *big.Int }
	more := make([]prime, n)
	for i := range more {
		more[i] = prime{v, v, v}
	}
	der := mustMarshal(tb, struct {
		Version               int
		N                     *big.Int
		E                     int
		D, P, Q, Dp, Dq, Qinv *big.Int
		More                  []prime
	}{1, v, 65537, v, v, v, v, v, v, more})
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})
}

// hugeRSAKey is a PKCS#1 "RSA PRIVATE KEY" of random numbers: a modulus
// of nBits and other values of otherBits.
func hugeRSAKey(tb testing.TB, nBits, otherBits int) []byte {
	rnd := func(bits int) *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
		return n.SetBit(n, bits-1, 1).SetBit(n, 0, 1)
	}
	o := rnd(otherBits)
	der := mustMarshal(tb, struct {
		Version               int
		N                     *big.Int
		E                     int
		D, P, Q, Dp, Dq, Qinv *big.Int
	}{0, rnd(nBits), 65537, o, o, o, o, o, o})
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})
}

// fakeRSAKey is an RSA public key of a random odd nBits modulus: checking
// a signature with it costs what a real one costs, and fails. Its top 64
// bits are set, so that every signature of nBits is below it and the
// check runs in full.
type fakeRSAKey struct{ bits, e int }

func (f fakeRSAKey) Public() crypto.PublicKey {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), uint(f.bits)))
	for i := f.bits - 64; i < f.bits; i++ {
		n.SetBit(n, i, 1)
	}
	return &rsa.PublicKey{N: n.SetBit(n, 0, 1), E: f.e}
}

// fakeRSACert is a certificate for a random nBits RSA modulus, signed by
// a throwaway P-256 key.
func fakeRSACert(tb testing.TB, nBits int) *x509.Certificate {
	signer := newECKey(tb, elliptic.P256())
	parent := &x509.Certificate{Subject: pkix.Name{CommonName: "Big RSA"}, PublicKey: signer.Public()}
	return mintFrom(tb, 7, "Big RSA", false, nil, fakeRSAKey{nBits, 65537}.Public(), parent, signer)
}

// fakeDecoys returns n CAs named cn with the decoys' key identifier and
// the public key pub, signed by a throwaway key: checking a signature
// with any of them costs what pub costs, and fails.
func fakeDecoys(tb testing.TB, n int, cn string, pub crypto.PublicKey) []*x509.Certificate {
	signer := newECKey(tb, elliptic.P256())
	parent := &x509.Certificate{Subject: pkix.Name{CommonName: cn}, SubjectKeyId: sameSKI, PublicKey: signer.Public()}
	out := make([]*x509.Certificate, n)
	for i := range out {
		out[i] = mintFrom(tb, int64(2000+i), cn, true, sameSKI, pub, parent, signer)
	}
	return out
}

// decoyedLeafWith is decoyedLeaf with a chosen CA key (its type sets the
// leaf's signature algorithm).
func decoyedLeafWith(tb testing.TB, cn string, caKey crypto.Signer) (*x509.Certificate, crypto.Signer, *x509.Certificate) {
	key := newECKey(tb, elliptic.P256())
	ca := mint(tb, 1, cn, true, sameSKI, nil, nil, caKey.Public(), caKey)
	return mint(tb, 2, "decoyed.test", false, nil, []string{"decoyed.test"}, ca, key.Public(), caKey), key, ca
}

// mintFrom signs a certificate named cn for pub with signer, as parent.
func mintFrom(tb testing.TB, serial int64, cn string, ca bool, ski []byte, pub crypto.PublicKey, parent *x509.Certificate, signer crypto.Signer) *x509.Certificate {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		BasicConstraintsValid: true, IsCA: ca, SubjectKeyId: ski}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
