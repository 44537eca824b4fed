package dnsprovider

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-acme/lego/v4/challenge/dns01"
	"github.com/go-acme/lego/v4/providers/dns/digitalocean"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider/internal/redact"
)

// DigitalOceanCredentials authenticate to DigitalOcean with a personal
// access token with write scope. They redact themselves when formatted,
// logged or encoded as JSON.
type DigitalOceanCredentials struct {
	APIToken string
}

// String describes the credentials without the token.
func (c DigitalOceanCredentials) String() string {
	return redact.String("dnsprovider.DigitalOceanCredentials", redact.Field{Name: "APIToken", Value: c.APIToken, Secret: true})
}

// GoString is String.
func (c DigitalOceanCredentials) GoString() string { return c.String() }

// Format prints String for every verb.
func (c DigitalOceanCredentials) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// MarshalJSON encodes String.
func (c DigitalOceanCredentials) MarshalJSON() ([]byte, error) { return redact.JSON(c.String()), nil }

// LogValue logs String.
func (c DigitalOceanCredentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// NewDigitalOcean returns a DigitalOcean provider (on lego's). It makes no
// network call.
func NewDigitalOcean(c DigitalOceanCredentials) (certs.DNSProvider, error) {
	return newDigitalOcean(c, nil)
}

func newDigitalOcean(c DigitalOceanCredentials, hc *http.Client) (certs.DNSProvider, error) {
	if c.APIToken == "" {
		return nil, &CredentialError{Provider: "digitalocean", Field: "apiToken", Problem: "is empty"}
	}
	p, err := digitalocean.NewDNSProviderConfig(&digitalocean.Config{
		AuthToken:          c.APIToken,
		TTL:                30,
		PropagationTimeout: dns01.DefaultPropagationTimeout,
		PollingInterval:    5 * time.Second,
		HTTPClient:         httpClient(hc),
	})
	if err != nil {
		return nil, RedactError(fmt.Errorf("dnsprovider: digitalocean: %w", err), c.APIToken)
	}
	return FromLego(p, c.APIToken), nil
}
