// Package custom parses the certificates and keys that users upload: PEM
// full chains and keys (PKCS#1, PKCS#8, SEC1; RSA, ECDSA, Ed25519), a
// separate chain, DER certificates, and PKCS#12/PFX bundles, and assembles
// the chain leaf first with intermediates in signing order.
//
// Uploads are untrusted: the work done on one is bounded by Limits (size,
// certificates, keys, chain length, PKCS#12 key derivation, signature
// checks), every error and note has a bounded length, and ParseContext
// stops when its context is done.
//
// It is a leaf package: it imports nothing else of this module.
package custom

import (
	"crypto"
	"crypto/x509"
	"errors"
)

// Errors returned by Parse. Each wraps into a message that says what to fix.
// ErrNoCertificate, ErrKeyMismatch and ErrChainTooLong are the same
// conditions as validate's errors of those names: errors.Is matches either.
var (
	ErrInvalidPEM         = errors.New("custom: invalid PEM")
	ErrUnsupportedFormat  = errors.New("custom: unsupported format")
	ErrEncryptedKey       = errors.New("custom: private key is encrypted")
	ErrBadPassword        = errors.New("custom: wrong PKCS#12 password")
	ErrNoCertificate      = error(&condition{"no_certificate", "custom: no certificate found"})
	ErrNoPrivateKey       = errors.New("custom: no private key found")
	ErrUnsupportedKeyType = errors.New("custom: unsupported private key type")
	// ErrUnrelatedCertificate reports a certificate that is neither the
	// leaf, one of its issuers, nor a self-signed root; the message names
	// its subject so the user can remove it.
	ErrUnrelatedCertificate = errors.New("custom: certificate is not part of the leaf's chain")
	// ErrKeyMismatch is returned by (*Bundle).TLSCertificate when the key
	// does not belong to the leaf. Parse itself does not check the match
	// (validate.Certificate reports it with the other problems).
	ErrKeyMismatch = error(&condition{"key_mismatch", "custom: private key does not match the certificate"})

	// ErrInputTooLarge reports an upload over Limits.MaxSize, checked
	// before anything is parsed.
	ErrInputTooLarge = errors.New("custom: upload is too large")
	// ErrTooManyCertificates reports an upload with more certificates
	// than Limits.MaxCertificates, or with so many certificates sharing a
	// name that finding the chain would take too long.
	ErrTooManyCertificates = errors.New("custom: too many certificates")
	// ErrTooManyKeys reports an upload with more private keys than
	// Limits.MaxKeys.
	ErrTooManyKeys = errors.New("custom: too many private keys")
	// ErrChainTooLong reports a chain of more than Limits.MaxChainLength
	// certificates.
	ErrChainTooLong = error(&condition{"chain_too_long", "custom: certificate chain is too long"})
	// ErrPKCS12TooExpensive reports a PKCS#12 file asking for more
	// key-derivation work than Limits.MaxPKCS12Iterations.
	ErrPKCS12TooExpensive = errors.New("custom: PKCS#12 file asks for too many key-derivation iterations")
)

// Input is what a user uploads. Either Certificate (+ PrivateKey, + Chain)
// or PKCS12 (+ Password) must be set. Together they may hold at most
// Limits.MaxSize bytes (1 MiB by default).
//
// Its String, GoString and MarshalJSON print only sizes: never the key, the
// password or the bytes (a certificate PEM may embed a key).
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
//
// Its String, GoString and MarshalJSON never reveal the private key.
type Bundle struct {
	// Leaf is the end-entity certificate.
	Leaf *x509.Certificate
	// Intermediates are the leaf's issuers, leaf's issuer first, without
	// the self-signed root.
	Intermediates []*x509.Certificate
	// PrivateKey is the leaf's key (*rsa.PrivateKey, *ecdsa.PrivateKey or
	// ed25519.PrivateKey). It is never serialized.
	PrivateKey crypto.Signer `json:"-"`
	// Notes describe what assembly changed: a reordered chain, dropped
	// duplicates, a dropped self-signed root or another server
	// certificate. Equal notes are merged and there are at most 16.
	Notes []Note
}

// Note is one remark from chain assembly.
type Note struct {
	// Code is stable and machine-readable: "chain_reordered",
	// "duplicate_dropped", "root_dropped", "unrelated_dropped" (another
	// server certificate, dropped because the key matched the leaf; an
	// unrelated CA certificate is an ErrUnrelatedCertificate) and
	// "notes_omitted" (the notes were capped).
	Code string `json:"code"`
	// Message says what happened, naming the certificate. It is at most
	// a few hundred bytes: names from the upload are shortened.
	Message string `json:"message"`
}

// Note codes.
const (
	NoteChainReordered   = "chain_reordered"
	NoteDuplicateDropped = "duplicate_dropped"
	NoteRootDropped      = "root_dropped"
	NoteUnrelatedDropped = "unrelated_dropped"
	NoteOmitted          = "notes_omitted"
)
