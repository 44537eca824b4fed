package custom

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// Certificates with the names, key identifiers and keys a hostile upload
// would choose; testpki gives every CA its own name and key identifier.

var sameSKI = []byte{1, 2, 3, 4}

func newECKey(tb testing.TB, c elliptic.Curve) crypto.Signer {
	tb.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// mint signs a certificate named cn for pub with signer; parent nil means
// self-signed. CAs get the key identifier ski (and so does the AKI of
// their children).
func mint(tb testing.TB, serial int64, cn string, ca bool, ski []byte, sans []string, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(90 * 24 * time.Hour),
		BasicConstraintsValid: true,
		IsCA:                  ca,
		DNSNames:              sans,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ca {
		tmpl.KeyUsage, tmpl.SubjectKeyId = x509.KeyUsageCertSign, ski
	}
	if parent == nil {
		parent = tmpl
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

// sameNameChain returns n certificates all named "Same Name" with one key
// identifier, each signed by the previous one; the last is a server
// certificate whose key is returned. They are ordered root first, so that
// finding each issuer in upload order means trying all the others.
func sameNameChain(tb testing.TB, n int, curve elliptic.Curve) ([]*x509.Certificate, crypto.Signer) {
	tb.Helper()
	var certs []*x509.Certificate
	var parent *x509.Certificate
	var parentKey crypto.Signer
	for i := range n {
		key := newECKey(tb, curve)
		signer := parentKey
		if signer == nil {
			signer = key
		}
		last := i == n-1
		var sans []string
		if last {
			sans = []string{"same.test"}
		}
		c := mint(tb, int64(i+1), "Same Name", !last, sameSKI, sans, parent, key.Public(), signer)
		certs, parent, parentKey = append(certs, c), c, key
	}
	return certs, parentKey
}

// decoys returns n self-signed CAs named cn with one key identifier, all
// with decoyKey: each looks like the issuer of a certificate naming cn,
// but none verifies its signature.
func decoys(tb testing.TB, n int, cn string, decoyKey crypto.Signer) []*x509.Certificate {
	tb.Helper()
	out := make([]*x509.Certificate, n)
	for i := range out {
		out[i] = mint(tb, int64(1000+i), cn, true, sameSKI, nil, nil, decoyKey.Public(), decoyKey)
	}
	return out
}

// decoyedLeaf returns a server certificate issued by a CA named cn (with
// the decoys' key identifier) and its key, then the issuing CA.
func decoyedLeaf(tb testing.TB, cn string) (*x509.Certificate, crypto.Signer, *x509.Certificate) {
	tb.Helper()
	caKey, key := newECKey(tb, elliptic.P256()), newECKey(tb, elliptic.P256())
	ca := mint(tb, 1, cn, true, sameSKI, nil, nil, caKey.Public(), caKey)
	return mint(tb, 2, "decoyed.test", false, nil, []string{"decoyed.test"}, ca, key.Public(), caKey), key, ca
}
