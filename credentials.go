package certs

import (
	"fmt"
	"log/slog"
)

// DNSCredentials are a DNS provider's credentials as data (field name to
// value, as dnsprovider.New takes them). They are secrets: String, every
// fmt verb, JSON and slog show only how many fields there are.
type DNSCredentials map[string]string

// String describes the credentials without their values.
func (c DNSCredentials) String() string {
	return fmt.Sprintf("DNSCredentials{%d fields, redacted}", len(c))
}

// GoString is like String.
func (c DNSCredentials) GoString() string { return c.String() }

// Format makes every fmt verb print String.
func (c DNSCredentials) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// MarshalJSON writes the redacted form.
func (c DNSCredentials) MarshalJSON() ([]byte, error) { return []byte(`"redacted"`), nil }

// LogValue makes slog print the redacted form.
func (c DNSCredentials) LogValue() slog.Value { return slog.StringValue(c.String()) }
