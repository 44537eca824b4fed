package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"testing"
)

// CertsPEM encodes certificates as consecutive "CERTIFICATE" PEM blocks, in
// the order given.
func CertsPEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// KeyPEMPKCS8 encodes key as a PKCS#8 "PRIVATE KEY" PEM block.
func KeyPEMPKCS8(tb testing.TB, key crypto.Signer) []byte {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatalf("testpki: marshal PKCS#8: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// KeyPEMPKCS1 encodes an RSA key as a PKCS#1 "RSA PRIVATE KEY" PEM block.
// It fails the test for other key types.
func KeyPEMPKCS1(tb testing.TB, key crypto.Signer) []byte {
	tb.Helper()
	k, ok := key.(*rsa.PrivateKey)
	if !ok {
		tb.Fatalf("testpki: PKCS#1 needs an RSA key, got %T", key)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// KeyPEMSEC1 encodes an ECDSA key as a SEC1 "EC PRIVATE KEY" PEM block. It
// fails the test for other key types.
func KeyPEMSEC1(tb testing.TB, key crypto.Signer) []byte {
	tb.Helper()
	k, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		tb.Fatalf("testpki: SEC1 needs an ECDSA key, got %T", key)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		tb.Fatalf("testpki: marshal SEC1: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}

// KeyDER returns key as PKCS#8 DER.
func KeyDER(tb testing.TB, key crypto.Signer) []byte {
	tb.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatalf("testpki: marshal PKCS#8: %v", err)
	}
	return der
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
