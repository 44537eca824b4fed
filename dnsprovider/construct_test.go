package dnsprovider

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
)

// countingTransport fails and counts every request.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("no network in tests")
}

// TestConstructionMakesNoRequest builds each named provider with an HTTP
// client that records requests: construction must send none.
func TestConstructionMakesNoRequest(t *testing.T) {
	tr := &countingTransport{}
	hc := &http.Client{Transport: tr}
	builds := map[string]func() (certs.DNSProvider, error){
		"cloudflare":   func() (certs.DNSProvider, error) { return newCloudflare(CloudflareCredentials{APIToken: "t"}, hc) },
		"digitalocean": func() (certs.DNSProvider, error) { return newDigitalOcean(DigitalOceanCredentials{APIToken: "t"}, hc) },
		"godaddy": func() (certs.DNSProvider, error) {
			return newGoDaddy(GoDaddyCredentials{APIKey: "k", APISecret: "s"}, hc)
		},
	}
	for name, build := range builds {
		t.Run(name, func(t *testing.T) {
			p, err := build()
			require.NoError(t, err)
			require.NotNil(t, p)
		})
	}
	require.Zero(t, tr.n.Load())
}
