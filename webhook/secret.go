package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
)

// Secret is a subscription's signing secret. It never prints: String,
// GoString, Format (every fmt verb), LogValue (slog) and MarshalJSON show
// "<redacted>". Reveal returns it, for showing it once to the subscriber
// who created it.
type Secret string

const redacted = "<redacted>"

// minSecretLen is the shortest secret AddSubscription accepts.
const minSecretLen = 16

// NewSecret returns a new random secret: "whsec_" and 32 random bytes in
// base64url.
func NewSecret() (Secret, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhook: new secret: %w", err)
	}
	return Secret("whsec_" + base64.RawURLEncoding.EncodeToString(b)), nil
}

// Reveal returns the secret itself. Show it to the subscriber once; do
// not log it.
func (s Secret) Reveal() string { return string(s) }

// String returns "<redacted>".
func (s Secret) String() string { return redacted }

// GoString returns "<redacted>", so that %#v does not print the secret.
func (s Secret) GoString() string { return redacted }

// Format prints "<redacted>" for every verb.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue logs "<redacted>".
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON encodes "<redacted>" (an empty secret as ""): the secret
// cannot be read back from JSON output.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte(`""`), nil
	}
	return json.Marshal(redacted)
}
