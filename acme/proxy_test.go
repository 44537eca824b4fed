package acme_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
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

// proxyHooks change what a proxy does; both are optional.
type proxyHooks struct {
	// intercept answers a request itself when it returns true; otherwise
	// the request is forwarded. readBody gives the request's body (a JWS)
	// without consuming it.
	intercept func(w http.ResponseWriter, r *http.Request) bool
	// rewrite returns the body the client gets instead of the CA's answer
	// to r (plain JSON: an ACME object or a problem document).
	rewrite func(r *http.Request, body []byte) []byte
}

// newProxy forwards to srv every request that intercept (if any) does not
// answer itself.
func newProxy(t *testing.T, srv *pebbletest.Server, intercept func(w http.ResponseWriter, r *http.Request) bool) *proxy {
	t.Helper()
	return newHookedProxy(t, srv, proxyHooks{intercept: intercept})
}

// newHookedProxy is newProxy with every hook.
func newHookedProxy(t *testing.T, srv *pebbletest.Server, hooks proxyHooks) *proxy {
	t.Helper()
	p := &proxy{}
	p.backend.Store(srv)
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			target, err := url.Parse(strings.TrimSuffix(p.backend.Load().DirectoryURL, "/dir"))
			require.NoError(t, err)
			r.SetURL(target)
			r.Out.Host = r.In.Host
			r.Out.Header.Del("Accept-Encoding") // rewrite sees plain JSON
		},
		// Every httptest TLS server has the same certificate.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.Roots}},
	}
	if hooks.rewrite != nil {
		rp.ModifyResponse = func(resp *http.Response) error {
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil {
				return err
			}
			body = hooks.rewrite(resp.Request, body)
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return nil
		}
	}
	front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hooks.intercept == nil || !hooks.intercept(w, r) {
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(front.Close)
	p.dirURL = front.URL + "/dir"
	return p
}

// readBody returns r's body and puts it back, so that r can still be
// forwarded. Like jwsPayload it may run on the proxy's goroutines, so it
// reports failures with assert, not require.
func readBody(t *testing.T, r *http.Request) []byte {
	body, err := io.ReadAll(r.Body)
	assert.NoError(t, err)
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

// jwsPayload decodes the JSON payload of a flattened JWS request body
// (RFC 7515: the base64url "payload" member); a POST-as-GET gives nil.
func jwsPayload(t *testing.T, body []byte) map[string]any {
	var jws struct {
		Payload string `json:"payload"`
	}
	assert.NoError(t, json.Unmarshal(body, &jws))
	raw, err := base64.RawURLEncoding.DecodeString(jws.Payload)
	assert.NoError(t, err)
	if len(raw) == 0 {
		return nil
	}
	var payload map[string]any
	assert.NoError(t, json.Unmarshal(raw, &payload))
	return payload
}

// editJSON applies edit to a JSON object and returns it encoded again;
// anything else is returned as it is.
func editJSON(body []byte, edit func(obj map[string]any)) []byte {
	var obj map[string]any
	if json.Unmarshal(body, &obj) != nil {
		return body
	}
	edit(obj)
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
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
