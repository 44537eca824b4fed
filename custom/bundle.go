package custom

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// Certificates returns the leaf followed by the intermediates (without a
// nil leaf).
func (b *Bundle) Certificates() []*x509.Certificate {
	var out []*x509.Certificate
	if b.Leaf != nil {
		out = append(out, b.Leaf)
	}
	return append(out, b.Intermediates...)
}

// ChainPEM returns the leaf and intermediates as consecutive CERTIFICATE PEM
// blocks: what a server sends (a "fullchain.pem").
func (b *Bundle) ChainPEM() []byte {
	var out []byte
	for _, c := range b.Certificates() {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// KeyPEM returns the private key as an unencrypted PKCS#8 "PRIVATE KEY" PEM
// block. Treat the result as a secret.
func (b *Bundle) KeyPEM() ([]byte, error) {
	if b.PrivateKey == nil {
		return nil, fmt.Errorf("%w: the bundle has no private key; upload the key with the certificate", ErrNoPrivateKey)
	}
	der, err := x509.MarshalPKCS8PrivateKey(b.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %T cannot be encoded as PKCS#8: %w", ErrUnsupportedKeyType, b.PrivateKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// TLSCertificate returns the bundle as a tls.Certificate (leaf, then
// intermediates) with Leaf set. It fails with ErrNoPrivateKey without a key
// and with ErrKeyMismatch when the key does not belong to the leaf.
func (b *Bundle) TLSCertificate() (tls.Certificate, error) {
	if b.Leaf == nil {
		return tls.Certificate{}, fmt.Errorf("%w: the bundle has no leaf certificate; parse an upload with Parse", ErrNoCertificate)
	}
	if b.PrivateKey == nil {
		return tls.Certificate{}, fmt.Errorf("%w: the bundle has no private key; upload the key with the certificate", ErrNoPrivateKey)
	}
	if !keyMatches(b.Leaf, b.PrivateKey) {
		return tls.Certificate{}, fmt.Errorf("%w: the private key does not match the public key of %s; upload the key that was used to create the CSR",
			ErrKeyMismatch, quoteShort(b.Leaf.Subject.String()))
	}
	chain := make([][]byte, 0, 1+len(b.Intermediates))
	for _, c := range b.Certificates() {
		chain = append(chain, c.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: b.PrivateKey, Leaf: b.Leaf}, nil
}
