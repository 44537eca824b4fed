package dnsprovider

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-acme/lego/v4/challenge/dns01"
	"github.com/go-acme/lego/v4/providers/dns/godaddy"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider/internal/redact"
)

// GoDaddyCredentials are a GoDaddy API key and secret. They redact
// themselves when formatted, logged or encoded as JSON.
type GoDaddyCredentials struct {
	APIKey    string
	APISecret string
}

// String describes the credentials without the key and secret.
func (c GoDaddyCredentials) String() string {
	return redact.String("dnsprovider.GoDaddyCredentials",
		redact.Field{Name: "APIKey", Value: c.APIKey, Secret: true},
		redact.Field{Name: "APISecret", Value: c.APISecret, Secret: true})
}

// GoString is String.
func (c GoDaddyCredentials) GoString() string { return c.String() }

// Format prints String for every verb.
func (c GoDaddyCredentials) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// MarshalJSON encodes String.
func (c GoDaddyCredentials) MarshalJSON() ([]byte, error) { return redact.JSON(c.String()), nil }

// LogValue logs String.
func (c GoDaddyCredentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// NewGoDaddy returns a GoDaddy provider (on lego's). It makes no network call.
func NewGoDaddy(c GoDaddyCredentials) (certs.DNSProvider, error) {
	return newGoDaddy(c, nil)
}

func newGoDaddy(c GoDaddyCredentials, hc *http.Client) (certs.DNSProvider, error) {
	switch {
	case c.APIKey == "":
		return nil, &CredentialError{Provider: "godaddy", Field: "apiKey", Problem: "is empty"}
	case c.APISecret == "":
		return nil, &CredentialError{Provider: "godaddy", Field: "apiSecret", Problem: "is empty"}
	}
	p, err := godaddy.NewDNSProviderConfig(&godaddy.Config{
		APIKey:             c.APIKey,
		APISecret:          c.APISecret,
		TTL:                600,
		PropagationTimeout: 2 * time.Minute,
		PollingInterval:    dns01.DefaultPollingInterval,
		HTTPClient:         httpClient(hc),
	})
	if err != nil {
		return nil, RedactError(fmt.Errorf("dnsprovider: godaddy: %w", err), c.APIKey, c.APISecret)
	}
	return FromLego(p, c.APIKey, c.APISecret), nil
}
