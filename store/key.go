package store

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
)

// Key is a 32-byte AES-256 key for Encrypted, named by ID. The ID is
// written next to every value sealed with the key, so that a key can be
// rotated: configure the new key as primary and keep the old one as a
// previous key until every record has been rewritten.
//
// A Key never prints or marshals its Secret: String, GoString, Format,
// LogValue and MarshalJSON show only the ID. Two uses of fmt bypass every
// method and print the raw Secret: %p of a Key value (not a pointer), and a
// Key or *Key in an unexported field of a struct that fmt prints (see
// Record). Do not print structs that keep keys in unexported fields.
type Key struct {
	// ID names the key: 1 to 64 bytes of [A-Za-z0-9._-], unique among the
	// keys given to NewEncrypted.
	ID string
	// Secret is the AES-256 key. It must not be all zeros.
	Secret [32]byte
}

// GenerateKey returns a new random key called id.
func GenerateKey(id string) (Key, error) {
	k := Key{ID: id}
	if _, err := rand.Read(k.Secret[:]); err != nil {
		return Key{}, fmt.Errorf("store: generate key: %w", err)
	}
	return k, k.check()
}

// ParseKey returns the key called id whose secret is encoded, 32 bytes in
// standard or URL-safe base64, padded or not (as produced by
// "openssl rand -base64 32"). Errors never include the secret.
func ParseKey(id, encoded string) (Key, error) {
	encoded = strings.TrimSpace(encoded)
	var b []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err = enc.DecodeString(encoded); err == nil {
			break
		}
	}
	if err != nil {
		return Key{}, &KeyError{ID: id, Reason: "the secret is not valid base64; generate one with: openssl rand -base64 32"}
	}
	if len(b) != 32 {
		return Key{}, &KeyError{ID: id, Reason: fmt.Sprintf("the secret is %d bytes, want 32; generate one with: openssl rand -base64 32", len(b))}
	}
	k := Key{ID: id}
	copy(k.Secret[:], b)
	return k, k.check()
}

// check validates k on its own.
func (k Key) check() error {
	if k.ID == "" || len(k.ID) > 64 {
		return &KeyError{ID: k.ID, Reason: "the ID must be 1 to 64 bytes long"}
	}
	for i := 0; i < len(k.ID); i++ {
		c := k.ID[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c != '.' {
			return &KeyError{ID: k.ID, Reason: "the ID may only hold letters, digits, '.', '-' and '_'"}
		}
	}
	if k.Secret == ([32]byte{}) {
		return &KeyError{ID: k.ID, Reason: "the secret is all zeros; set it from 32 random bytes (see GenerateKey, ParseKey)"}
	}
	return nil
}

// String returns the key's ID, with the secret redacted.
func (k Key) String() string { return "store.Key{ID: " + k.ID + ", Secret: <redacted>}" }

// GoString is like String.
func (k Key) GoString() string { return k.String() }

// Format prints String for every verb, so that no verb shows the secret.
func (k Key) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue logs the key's ID only.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", k.ID), slog.String("secret", "<redacted>"))
}

// MarshalJSON encodes the key's ID only, with the secret redacted.
func (k Key) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"id":%q,"secret":"<redacted>"}`, k.ID), nil
}
