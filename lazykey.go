package certs

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"sync"
)

// How keys are loaded at start-up. Parsing a private key is most of what
// loading a stored hostname costs (an ECDSA key's public half is
// recomputed), so records read back from the Store (New, Reload, another
// replica's change) get a lazyKey: the chain and the leaf are parsed at
// once, the private key at the first handshake that signs with it. Keys
// written by this process (Import, an issued certificate) were checked
// against their certificate when stored, and are parsed at once.

// lazyKeyPair returns c's key pair with the key parsed on first use.
func lazyKeyPair(c *Certificate, keyPEM []byte) (*tls.Certificate, error) {
	var tc tls.Certificate
	for rest := []byte(c.ChainPEM); ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			tc.Certificate = append(tc.Certificate, b.Bytes)
		}
	}
	if len(tc.Certificate) == 0 {
		return nil, fmt.Errorf("certs: load %s key pair: no certificate in the stored chain", c.Source)
	}
	leaf, err := x509.ParseCertificate(tc.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("certs: load %s key pair: %w", c.Source, err)
	}
	tc.Leaf = leaf
	tc.PrivateKey = &lazyKey{pemKey: keyPEM, chainPEM: []byte(c.ChainPEM), pub: leaf.PublicKey}
	return &tc, nil
}

// lazyKey is a crypto.Signer (and crypto.Decrypter, for RSA key exchange)
// whose private key is parsed the first time it is used. Public answers
// from the certificate without parsing the key. It is safe for concurrent
// use and never prints the key.
type lazyKey struct {
	pemKey, chainPEM []byte
	pub              crypto.PublicKey

	once sync.Once
	key  crypto.Signer
	err  error
}

// errLazyKey is what a lazily parsed key that cannot be used returns.
var errLazyKey = errors.New("certs: the stored private key cannot be loaded or does not match its certificate")

func (k *lazyKey) load() (crypto.Signer, error) {
	k.once.Do(func() {
		tc, err := tls.X509KeyPair(k.chainPEM, k.pemKey)
		if err != nil {
			k.err = fmt.Errorf("%w: %v", errLazyKey, err) // X509KeyPair's errors never contain key material
			return
		}
		signer, ok := tc.PrivateKey.(crypto.Signer)
		if !ok {
			k.err = errLazyKey
			return
		}
		k.key = signer
		k.pemKey, k.chainPEM = nil, nil
	})
	return k.key, k.err
}

// Public returns the certificate's public key.
func (k *lazyKey) Public() crypto.PublicKey { return k.pub }

// Sign parses the key if needed and signs with it.
func (k *lazyKey) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	key, err := k.load()
	if err != nil {
		return nil, err
	}
	return key.Sign(rand, digest, opts)
}

// Decrypt parses the key if needed and decrypts with it (RSA keys only).
func (k *lazyKey) Decrypt(rand io.Reader, msg []byte, opts crypto.DecrypterOpts) ([]byte, error) {
	key, err := k.load()
	if err != nil {
		return nil, err
	}
	d, ok := key.(crypto.Decrypter)
	if !ok {
		return nil, errors.New("certs: the key cannot decrypt")
	}
	return d.Decrypt(rand, msg, opts)
}

// String never shows the key.
func (k *lazyKey) String() string { return "certs.lazyKey{redacted}" }
