// Package custom parses the certificates and keys that users upload: PEM
// full chains and keys (PKCS#1, PKCS#8, SEC1; RSA, ECDSA, Ed25519), a
// separate chain, DER certificates, and PKCS#12/PFX bundles, and assembles
// the chain leaf first with intermediates in signing order.
//
// It is a leaf package: it imports nothing else of this module.
package custom

import (
	"crypto"
	"crypto/x509"
	"errors"
)

// Errors returned by Parse. Each wraps into a message that says what to fix.
var (
	ErrInvalidPEM         = errors.New("custom: invalid PEM")
	ErrUnsupportedFormat  = errors.New("custom: unsupported format")
	ErrEncryptedKey       = errors.New("custom: private key is encrypted")
	ErrBadPassword        = errors.New("custom: wrong PKCS#12 password")
	ErrNoCertificate      = errors.New("custom: no certificate found")
	ErrNoPrivateKey       = errors.New("custom: no private key found")
	ErrUnsupportedKeyType = errors.New("custom: unsupported private key type")
)

// Input is what a user uploads. Either Certificate (+ PrivateKey, + Chain)
// or PKCS12 (+ Password) must be set.
type Input struct {
	// Certificate holds the leaf, optionally followed by intermediates (a
	// full chain), as PEM, or a single DER certificate. A PEM private key
	// block in it is accepted when PrivateKey is empty.
	Certificate []byte
	// PrivateKey holds the key as PEM (PKCS#1, PKCS#8, SEC1) or DER.
	PrivateKey []byte
	// Chain optionally holds intermediates (PEM or DER), as 003's
	// certificateChain.
	Chain []byte
	// PKCS12 holds a .pfx/.p12 bundle with the key, leaf and chain.
	PKCS12 []byte
	// Password decrypts PKCS12.
	Password string
}

// Bundle is a parsed upload: the leaf, its intermediates in signing order
// and its private key.
type Bundle struct {
	Leaf          *x509.Certificate
	Intermediates []*x509.Certificate
	PrivateKey    crypto.Signer
	// Notes describe what assembly changed: a reordered chain, dropped
	// duplicates, a dropped self-signed root.
	Notes []Note
}

// Note is one remark from chain assembly.
type Note struct {
	Code    string // "chain_reordered", "duplicate_dropped", "root_dropped", "unrelated_dropped"
	Message string
}
