package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/api"
)

// TestRateLimited: a CA answering 429 with Retry-After (a proxy in front
// of Pebble) makes a renewal a 429 problem with Retry-After, and the
// hostname shows rate_limited_until; the certificate goes on being served.
func TestRateLimited(t *testing.T) {
	t.Parallel()
	var limited atomic.Bool
	var proxy *httptest.Server
	e := newEnv(t, envOptions{acme: func(cfg acme.Config) acme.Config {
		target, err := url.Parse(cfg.DirectoryURL)
		require.NoError(t, err)
		target.Path = ""
		rp := &httputil.ReverseProxy{
			// Pebble builds its URLs from the Host header, which the proxy
			// keeps, so that the client goes on talking to the proxy.
			Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = r.In.Host },
			Transport: cfg.HTTPClient.Transport,
		}
		proxy = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if limited.Load() && r.Method == http.MethodPost && r.URL.Path == "/order-plz" {
				w.Header().Set("Retry-After", "3600")
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, `{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many certificates already issued","status":429}`)
				return
			}
			rp.ServeHTTP(w, r)
		}))
		t.Cleanup(proxy.Close)
		cfg.DirectoryURL, cfg.HTTPClient = proxy.URL+"/dir", proxy.Client()
		return cfg
	}})
	const name = "limited.example.com"
	require.Equal(t, http.StatusCreated, e.doJSON(http.MethodPost, "/certificates/acme", tokenA, api.RequestACME{Hostname: name}).status)
	e.issueACME()

	limited.Store(true)
	a := e.do(http.MethodPost, "/certificates/"+name+"/renew", tokenA, "")
	p := a.problem(t, http.StatusTooManyRequests, "rate_limited")
	secs, err := strconv.Atoi(a.header.Get("Retry-After"))
	require.NoError(t, err)
	require.InDelta(t, 3600, secs, 10)
	require.WithinDuration(t, time.Now().Add(time.Hour), *p.RetryAfter, 10*time.Second)
	require.Contains(t, p.Detail, "too many certificates already issued")

	c := e.client(tokenA)
	h, err := c.Get(e.ctx(), name)
	require.NoError(t, err)
	require.NotNil(t, h.RateLimitedUntil)
	require.Equal(t, "active", h.Status)
	_, err = c.Renew(e.ctx(), name, api.Renew{})
	require.ErrorIs(t, err, certs.ErrRateLimited, "not sent to the CA again before then")
}
