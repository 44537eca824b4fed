package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLeafKeyTypes(t *testing.T) {
	ca := NewCA(t)
	inter := ca.Intermediate(t)
	tests := []struct {
		kt   KeyType
		algo x509.PublicKeyAlgorithm
		bits int
	}{
		{ECDSAP256, x509.ECDSA, 256},
		{ECDSAP384, x509.ECDSA, 384},
		{RSA512, x509.RSA, 512},
		{RSA1024, x509.RSA, 1024},
		{RSA2048, x509.RSA, 2048},
		{RSA4096, x509.RSA, 4096},
		{Ed25519, x509.Ed25519, 0},
	}
	for _, tc := range tests {
		t.Run(tc.kt.String(), func(t *testing.T) {
			l := inter.Leaf(t, []string{"example.com", "192.0.2.1"}, LeafOptions{KeyType: tc.kt})
			require.Equal(t, tc.algo, l.Cert.PublicKeyAlgorithm)
			switch k := l.Cert.PublicKey.(type) {
			case *rsa.PublicKey:
				require.Equal(t, tc.bits, k.N.BitLen())
			case *ecdsa.PublicKey:
				require.Equal(t, tc.bits, k.Curve.Params().BitSize)
			case ed25519.PublicKey:
			}
			require.True(t, l.Key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(l.Cert.PublicKey))
			_, err := l.Cert.Verify(x509.VerifyOptions{
				DNSName: "example.com", Roots: ca.Pool(), Intermediates: l.Intermediates(),
			})
			require.NoError(t, err)
			require.Equal(t, []string{"example.com"}, l.Cert.DNSNames)
			require.Len(t, l.Cert.IPAddresses, 1)
			_, err = tls.X509KeyPair(l.ChainPEM(), l.KeyPEM())
			require.NoError(t, err)
		})
	}
}

func TestChainPEMOrder(t *testing.T) {
	root := NewCA(t)
	i1 := root.Intermediate(t)
	i2 := i1.Intermediate(t)
	l := i2.Leaf(t, []string{"a.test"}, LeafOptions{})
	var got []string
	rest := l.ChainPEM()
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		require.NoError(t, err)
		got = append(got, c.Subject.CommonName)
	}
	require.Equal(t, []string{"a.test", i2.Cert.Subject.CommonName, i1.Cert.Subject.CommonName}, got)
	require.Equal(t, root.Cert, l.Root)
	require.Same(t, root, i2.Root())
	require.Empty(t, root.Chain())
}

func TestLeafOptions(t *testing.T) {
	ca := NewCA(t, CAOptions{KeyType: RSA2048, CommonName: "My Root"})
	require.Equal(t, "My Root", ca.Cert.Subject.CommonName)
	nb := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	na := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	l := ca.Leaf(t, []string{"x.test"}, LeafOptions{
		NotBefore: nb, NotAfter: na, SignatureAlgorithm: x509.SHA1WithRSA,
		CommonName: "cn.test", OmitSANs: true, IsCA: true,
	})
	require.Equal(t, x509.SHA1WithRSA, l.Cert.SignatureAlgorithm)
	require.True(t, l.Cert.NotBefore.Equal(nb))
	require.True(t, l.Cert.NotAfter.Equal(na))
	require.Equal(t, "cn.test", l.Cert.Subject.CommonName)
	require.Empty(t, l.Cert.DNSNames)
	require.True(t, l.Cert.IsCA)

	ec := NewCA(t).Leaf(t, nil, LeafOptions{SignatureAlgorithm: x509.ECDSAWithSHA1})
	require.Equal(t, x509.ECDSAWithSHA1, ec.Cert.SignatureAlgorithm)
}

func TestRSAKeysRotateWithinHierarchy(t *testing.T) {
	ca := NewCA(t)
	a := ca.Leaf(t, []string{"a.test"}, LeafOptions{KeyType: RSA2048})
	b := ca.Intermediate(t).Leaf(t, []string{"b.test"}, LeafOptions{KeyType: RSA2048})
	require.False(t, a.Key.(*rsa.PrivateKey).Equal(b.Key))
	require.True(t, RSAKey(t, 2048, 1).Equal(RSAKey(t, 2048, 1)))
}

func TestKeyEncodings(t *testing.T) {
	rsaKey := NewKey(t, RSA1024)
	ecKey := NewKey(t, ECDSAP256)
	b, _ := pem.Decode(KeyPEMPKCS1(t, rsaKey))
	require.Equal(t, "RSA PRIVATE KEY", b.Type)
	k1, err := x509.ParsePKCS1PrivateKey(b.Bytes)
	require.NoError(t, err)
	require.True(t, k1.Equal(rsaKey))

	b, _ = pem.Decode(KeyPEMSEC1(t, ecKey))
	require.Equal(t, "EC PRIVATE KEY", b.Type)
	k2, err := x509.ParseECPrivateKey(b.Bytes)
	require.NoError(t, err)
	require.True(t, k2.Equal(ecKey))

	b, _ = pem.Decode(KeyPEMPKCS8(t, ecKey))
	require.Equal(t, "PRIVATE KEY", b.Type)
	k3, err := x509.ParsePKCS8PrivateKey(KeyDER(t, ecKey))
	require.NoError(t, err)
	require.True(t, ecKey.(*ecdsa.PrivateKey).Equal(k3))
}

func TestTLSCertificate(t *testing.T) {
	l := NewCA(t).Intermediate(t).Leaf(t, []string{"a.test"}, LeafOptions{KeyType: Ed25519})
	tc := l.TLSCertificate()
	require.Same(t, l.Cert, tc.Leaf)
	require.Len(t, tc.Certificate, 2)
	require.Equal(t, l.Chain[0].Raw, tc.Certificate[1])
	require.Equal(t, l.Key, tc.PrivateKey)
}

func TestSelfSigned(t *testing.T) {
	l := SelfSigned(t, []string{"self.test"}, LeafOptions{})
	require.False(t, l.Cert.IsCA)
	require.Empty(t, l.Chain)
	require.Same(t, l.Cert, l.Root)
	require.Equal(t, l.Cert.RawSubject, l.Cert.RawIssuer)
	require.NoError(t, l.Cert.CheckSignature(l.Cert.SignatureAlgorithm, l.Cert.RawTBSCertificate, l.Cert.Signature))
}
