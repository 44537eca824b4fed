package dnsprovider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/providers/dns/httpreq"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider"
)

const echoUser = "acme-user"

// echoAPI is a DNS API on loopback that refuses every call and quotes
// what it was sent into its error body: the password raw, URL-encoded and
// JSON-escaped, and the Authorization header (Basic: base64 of
// "user:password").
func echoAPI(t *testing.T) *url.URL {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pw, _ := r.BasicAuth()
		body, _ := json.Marshal(map[string]string{
			"error": "bad credentials " + pw + " (" + url.QueryEscape(pw) + ")", "authorization": r.Header.Get("Authorization"),
		})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return u
}

// echoProvider is lego's httpreq provider (RAW mode, which makes no DNS
// query of its own) pointed at echoAPI, with echoed as its password.
func echoProvider(t *testing.T) *httpreq.DNSProvider {
	t.Helper()
	p, err := httpreq.NewDNSProviderConfig(&httpreq.Config{Endpoint: echoAPI(t), Mode: "RAW", Username: echoUser, Password: echoed,
		PropagationTimeout: time.Minute, PollingInterval: time.Second, HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	require.NoError(t, err)
	return p
}

func TestFromLegoRedactsEchoedCredentials(t *testing.T) {
	rec := certs.DNSRecord{Domain: "example.com", Token: "tok", KeyAuth: "tok.thumb"}
	p := dnsprovider.FromLego(echoProvider(t), echoUser, echoed)
	_, ok := p.(dnsprovider.TimeoutProvider)
	require.True(t, ok, "the lego provider's timeout is kept")
	for name, call := range map[string]func() error{
		"present":  func() error { return p.Present(context.Background(), rec) },
		"clean up": func() error { return p.CleanUp(context.Background(), rec) },
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorContains(t, err, "unexpected status code: [status code: 401]")
			require.Contains(t, err.Error(), "[redacted]")
			requireNoForm(t, err)
			requireNoForm(t, p)
		})
	}

	// Without the credentials, FromLego cannot know what to blank out.
	leaky := dnsprovider.FromLego(echoProvider(t)).Present(context.Background(), rec)
	require.ErrorContains(t, leaky, url.QueryEscape(echoed))
}
