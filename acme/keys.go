package acme

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/certs-dev/certs"
)

// newPrivateKey generates a key of type kt (empty means ec256).
func newPrivateKey(kt certs.KeyType) (crypto.Signer, error) {
	var (
		key crypto.Signer
		err error
	)
	switch kt {
	case certs.KeyEC256, "":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case certs.KeyEC384:
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case certs.KeyRSA2048:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case certs.KeyRSA4096:
		key, err = rsa.GenerateKey(rand.Reader, 4096)
	default:
		return nil, fmt.Errorf("%w (got %q)", certs.ErrInvalidKeyType, kt)
	}
	if err != nil {
		return nil, fmt.Errorf("acme: generate %s key: %w", kt, err)
	}
	return key, nil
}

// encodeKey returns key as a PKCS#8 "PRIVATE KEY" PEM block.
func encodeKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("acme: encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// decodeKey parses a PKCS#8 PEM private key written by encodeKey.
func decodeKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("acme: stored account key is not a PKCS#8 PEM block")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("acme: parse stored account key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("acme: stored account key of type %T cannot sign", key)
	}
	return signer, nil
}
