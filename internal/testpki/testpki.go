// Package testpki builds throwaway certificate hierarchies for tests: a
// self-signed root, intermediates and leaves with a chosen key type,
// validity window, signature algorithm and names, plus their PEM encodings.
//
// It is a leaf helper: it imports nothing from this module, so every package
// of the module may use it in its _test.go files.
//
// Keys are cheap: ECDSA and Ed25519 keys are generated fresh; RSA 1024, 2048
// and 4096 keys come from a small pool of pre-generated keys embedded in the
// package (generating RSA 4096 takes seconds). Within one hierarchy (a root
// and everything derived from it) successive RSA keys of one size are handed
// out round-robin from the pool, so two consecutive RSA leaves of a
// hierarchy never share a key; across four or more leaves of the same size
// keys repeat. Pass LeafOptions.Key to control the key exactly.
//
// Every function takes a testing.TB and fails the test on error; the helpers
// never return errors.
package testpki

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"testing"
	"time"
)

// KeyType selects the algorithm and size of a generated key. The zero value
// is ECDSAP256.
type KeyType int

// Key types understood by NewKey, CAOptions and LeafOptions.
const (
	ECDSAP256 KeyType = iota // ECDSA on P-256 (the default)
	ECDSAP384                // ECDSA on P-384
	RSA2048                  // RSA 2048 bits, from the embedded pool
	RSA1024                  // RSA 1024 bits, from the embedded pool
	RSA4096                  // RSA 4096 bits, from the embedded pool
	Ed25519                  // Ed25519
	// RSA512 is a fresh 512-bit RSA key built from two primes. Go refuses to
	// sign with it, so it is only usable as a leaf key (weak-key tests).
	RSA512
)

// String returns a short name such as "ecdsa-p256" or "rsa-2048".
func (k KeyType) String() string {
	switch k {
	case ECDSAP256:
		return "ecdsa-p256"
	case ECDSAP384:
		return "ecdsa-p384"
	case RSA512:
		return "rsa-512"
	case RSA1024:
		return "rsa-1024"
	case RSA2048:
		return "rsa-2048"
	case RSA4096:
		return "rsa-4096"
	case Ed25519:
		return "ed25519"
	default:
		return "unknown"
	}
}

// Default validity windows, relative to time.Now when a certificate is made.
const (
	// Backdate is how far NotBefore lies in the past by default.
	Backdate = time.Hour
	// CALifetime is the default validity of roots and intermediates.
	CALifetime = 10 * 365 * 24 * time.Hour
	// LeafLifetime is the default validity of leaves.
	LeafLifetime = 90 * 24 * time.Hour
)

// randomSerial returns a random positive 128-bit serial number.
func randomSerial(tb testing.TB) *big.Int {
	tb.Helper()
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		tb.Fatalf("testpki: serial: %v", err)
	}
	return n.Add(n, big.NewInt(1))
}

// randomSuffix returns 8 random hex characters, used to make subject names
// unique across hierarchies.
func randomSuffix(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("testpki: random: %v", err)
	}
	return hex.EncodeToString(b)
}

// window fills zero bounds with now-Backdate and now+lifetime.
func window(notBefore, notAfter time.Time, lifetime time.Duration) (time.Time, time.Time) {
	now := time.Now()
	if notBefore.IsZero() {
		notBefore = now.Add(-Backdate)
	}
	if notAfter.IsZero() {
		notAfter = now.Add(lifetime)
	}
	return notBefore, notAfter
}
