package dnsprovider

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-acme/lego/v4/challenge/dns01"
	"github.com/go-acme/lego/v4/providers/dns/cloudflare"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider/internal/redact"
)

// defaultHTTPTimeout bounds each API request of the named providers.
const defaultHTTPTimeout = 30 * time.Second

// CloudflareCredentials authenticate to Cloudflare with an API token that
// has Zone:Read and DNS:Edit permissions. They redact themselves when
// formatted, logged or encoded as JSON.
type CloudflareCredentials struct {
	APIToken string
}

// String describes the credentials without the token.
func (c CloudflareCredentials) String() string {
	return redact.String("dnsprovider.CloudflareCredentials", redact.Field{Name: "APIToken", Value: c.APIToken, Secret: true})
}

// GoString is String.
func (c CloudflareCredentials) GoString() string { return c.String() }

// Format prints String for every verb.
func (c CloudflareCredentials) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// MarshalJSON encodes String.
func (c CloudflareCredentials) MarshalJSON() ([]byte, error) { return redact.JSON(c.String()), nil }

// LogValue logs String.
func (c CloudflareCredentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// NewCloudflare returns a Cloudflare provider (on lego's). It makes no
// network call; the token is first used by Present.
func NewCloudflare(c CloudflareCredentials) (certs.DNSProvider, error) {
	return newCloudflare(c, nil)
}

func newCloudflare(c CloudflareCredentials, hc *http.Client) (certs.DNSProvider, error) {
	if c.APIToken == "" {
		return nil, &CredentialError{Provider: "cloudflare", Field: "apiToken", Problem: "is empty"}
	}
	p, err := cloudflare.NewDNSProviderConfig(&cloudflare.Config{
		AuthToken:          c.APIToken,
		TTL:                120,
		PropagationTimeout: 2 * time.Minute,
		PollingInterval:    dns01.DefaultPollingInterval,
		HTTPClient:         httpClient(hc),
	})
	if err != nil {
		return nil, RedactError(fmt.Errorf("dnsprovider: cloudflare: %w", err), c.APIToken)
	}
	return FromLego(p, c.APIToken), nil
}

// httpClient returns hc, or a client with defaultHTTPTimeout.
func httpClient(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return &http.Client{Timeout: defaultHTTPTimeout}
}
