package dnsprovider

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
)

// echoLego is a lego provider whose every call fails quoting secret, as a
// DNS API that echoes the credentials would.
type echoLego struct{ secret string }

func (e echoLego) Present(string, string, string) error {
	return errors.New("401: bad token " + e.secret)
}
func (e echoLego) CleanUp(string, string, string) error {
	return errors.New("401: bad token " + e.secret)
}

// TestNamedProvidersRedactTheirCredentials: New and the named
// constructors give FromLego the credentials, so the lego provider's
// errors reach the caller without them.
func TestNamedProvidersRedactTheirCredentials(t *testing.T) {
	const tok = "t0ken-value-1234"
	hc := &http.Client{Transport: &countingTransport{}}
	tests := []struct {
		name   string
		build  func() (certs.DNSProvider, error)
		secret string
	}{
		{"New", func() (certs.DNSProvider, error) { return New("digitalocean", map[string]string{FieldAPIToken: tok}) }, tok},
		{"cloudflare", func() (certs.DNSProvider, error) { return newCloudflare(CloudflareCredentials{APIToken: tok}, hc) }, tok},
		{"digitalocean", func() (certs.DNSProvider, error) { return newDigitalOcean(DigitalOceanCredentials{APIToken: tok}, hc) }, tok},
		{"godaddy key", func() (certs.DNSProvider, error) {
			return newGoDaddy(GoDaddyCredentials{APIKey: tok, APISecret: "other-secret"}, hc)
		}, tok},
		{"godaddy secret", func() (certs.DNSProvider, error) {
			return newGoDaddy(GoDaddyCredentials{APIKey: "other-key", APISecret: tok}, hc)
		}, tok},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.build()
			require.NoError(t, err)
			r, ok := p.(*redactingTimeoutProvider)
			require.True(t, ok, "a redacting TimeoutProvider")
			r.p.(*legoTimeoutAdapter).legoAdapter.p = echoLego{tc.secret}
			rec := certs.DNSRecord{Domain: "example.com"}
			require.EqualError(t, p.Present(context.Background(), rec), "dnsprovider: present TXT record for example.com: 401: bad token [redacted]")
			require.EqualError(t, p.CleanUp(context.Background(), rec), "dnsprovider: clean up TXT record for example.com: 401: bad token [redacted]")
		})
	}
}
