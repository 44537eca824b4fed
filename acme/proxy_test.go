package acme_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// proxy is a TLS reverse proxy in front of a Pebble that can be swapped.
// Pebble builds its URLs from the Host header, which the proxy keeps, so
// that clients keep talking to the proxy.
type proxy struct {
	dirURL  string
	backend atomic.Pointer[pebbletest.Server]
}

// newProxy forwards to srv every request that intercept (if any) does not
// answer itself.
func newProxy(t *testing.T, srv *pebbletest.Server, intercept func(w http.ResponseWriter, r *http.Request) bool) *proxy {
	t.Helper()
	p := &proxy{}
	p.backend.Store(srv)
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			target, err := url.Parse(strings.TrimSuffix(p.backend.Load().DirectoryURL, "/dir"))
			require.NoError(t, err)
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		// Every httptest TLS server has the same certificate.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.Roots}},
	}
	front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if intercept == nil || !intercept(w, r) {
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(front.Close)
	p.dirURL = front.URL + "/dir"
	return p
}

// A CA that lost the account (a reset Pebble, a deleted account) gets the
// account key registered again, once.
func TestAccountUnknownToTheCA(t *testing.T) {
	t.Parallel()
	a, b := newEnv(t, pebbletest.Options{}), newEnv(t, pebbletest.Options{})
	p := newProxy(t, a.srv, nil)
	c := newCounter(a.srv.Transport())
	iss := a.issuer(t, withCounter(c), func(cfg *acme.Config) { cfg.DirectoryURL = p.dirURL })
	ctx := testContext(t)

	_, err := iss.Issue(ctx, a.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
	p.backend.Store(b.srv) // the CA forgets every account
	ic, err := iss.Issue(ctx, b.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
	b.parseIssued(t, ic)
	require.Equal(t, 2, c.count(newAccountPost))

	p.backend.Store(a.srv) // the dry run checks the stored account
	req := a.request(pebbletest.UniqueDomain(""))
	req.DryRun = true
	_, err = iss.Issue(ctx, req)
	require.NoError(t, err)
	require.Equal(t, 3, c.count(newAccountPost))
}
