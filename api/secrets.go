package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// Secrets are DNS provider credentials in a request. They are sent as
// they are, but String, Format and LogValue show only their number.
type Secrets map[string]string

// String describes the credentials without their values.
func (s Secrets) String() string { return fmt.Sprintf("api.Secrets{%d fields, redacted}", len(s)) }

// Format makes every fmt verb print String.
func (s Secrets) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue makes slog print String.
func (s Secrets) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the credentials: they are meant for the server.
func (s Secrets) MarshalJSON() ([]byte, error) { return json.Marshal(map[string]string(s)) }

// String names the fields of the upload that are set, without values.
func (u Upload) String() string {
	var set []string
	for _, f := range []struct {
		name, v string
	}{
		{"fullchain", u.Fullchain}, {"certificate", u.Certificate}, {"chain", u.Chain},
		{"private_key", u.PrivateKey}, {"certificate_der", u.CertificateDER}, {"chain_der", u.ChainDER},
		{"private_key_der", u.PrivateKeyDER}, {"pkcs12", u.PKCS12}, {"password", u.Password},
	} {
		if f.v != "" {
			set = append(set, f.name)
		}
	}
	return "api.Upload{" + strings.Join(set, ", ") + "; redacted}"
}

// Format makes every fmt verb print String.
func (u Upload) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(u.String())) }

// LogValue makes slog print String.
func (u Upload) LogValue() slog.Value { return slog.StringValue(u.String()) }

// String describes the key without it.
func (k PrivateKey) String() string {
	return fmt.Sprintf("api.PrivateKey{Hostname: %q, Source: %q, PEM: redacted}", k.Hostname, k.Source)
}

// Format makes every fmt verb print String.
func (k PrivateKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(k.String())) }

// LogValue makes slog print String.
func (k PrivateKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// String describes the import without its secrets.
func (c ImportCustom) String() string {
	return fmt.Sprintf("api.ImportCustom{Hostname: %q, %s}", c.Hostname, c.Upload.String())
}

// Format makes every fmt verb print String.
func (c ImportCustom) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes slog print String.
func (c ImportCustom) LogValue() slog.Value { return slog.StringValue(c.String()) }

// String describes the validation request without its secrets.
func (c ValidateCustom) String() string {
	return fmt.Sprintf("api.ValidateCustom{Hostname: %q, %s}", c.Hostname, c.Upload.String())
}

// Format makes every fmt verb print String.
func (c ValidateCustom) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes slog print String.
func (c ValidateCustom) LogValue() slog.Value { return slog.StringValue(c.String()) }
