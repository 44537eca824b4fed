package certs_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// authzRewriter is a reverse proxy in front of a Pebble that edits the
// authorizations the CA sends (plain JSON) and remembers the error details
// of their challenges, by identifier.
type authzRewriter struct {
	dirURL  string
	mu      sync.Mutex
	details map[string]string
}

// newAuthzRewriter starts the proxy; edit changes each authorization
// object before the client sees it.
func newAuthzRewriter(t *testing.T, srv *pebbletest.Server, edit func(authz map[string]any)) *authzRewriter {
	t.Helper()
	target, err := url.Parse(strings.TrimSuffix(srv.DirectoryURL, "/dir"))
	require.NoError(t, err)
	a := &authzRewriter{details: map[string]string{}}
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // Pebble builds its URLs from Host
			r.Out.Header.Del("Accept-Encoding")
		},
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.Roots}},
		ModifyResponse: func(resp *http.Response) error {
			if !strings.HasPrefix(resp.Request.URL.Path, "/authZ/") {
				return nil
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil {
				return err
			}
			body = a.rewrite(body, edit)
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return nil
		},
	}
	front := httptest.NewTLSServer(rp)
	t.Cleanup(front.Close)
	a.dirURL = front.URL + "/dir"
	return a
}

// rewrite records the challenge errors of an authorization and edits it.
func (a *authzRewriter) rewrite(body []byte, edit func(map[string]any)) []byte {
	var authz struct {
		Identifier struct{ Value string }
		Challenges []struct{ Error *struct{ Detail string } }
	}
	var obj map[string]any
	if json.Unmarshal(body, &authz) != nil || json.Unmarshal(body, &obj) != nil {
		return body
	}
	a.mu.Lock()
	for _, c := range authz.Challenges {
		if c.Error != nil {
			a.details[authz.Identifier.Value] = c.Error.Detail
		}
	}
	a.mu.Unlock()
	edit(obj)
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

func (a *authzRewriter) detail(domain string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.details[domain]
}

// pendingStatus sets the authorization's status, and with challenges its
// challenges' too, to "pending".
func pendingStatus(challenges bool) func(map[string]any) {
	return func(obj map[string]any) {
		obj["status"] = "pending"
		list, _ := obj["challenges"].([]any)
		for _, c := range list {
			if ch, ok := c.(map[string]any); ok && challenges {
				ch["status"] = "pending"
			}
		}
	}
}

// newRewrittenManager is a Manager whose acme.Issuer, with validation
// timeout timeout, talks to a new Pebble through an authzRewriter applying
// edit. Pebble's HTTP-01 requests go to http01, or to the Manager's
// HTTPHandler when it is nil.
func newRewrittenManager(t *testing.T, edit func(map[string]any), http01 http.Handler,
	timeout time.Duration) (*certs.Manager, *authzRewriter) {
	t.Helper()
	srv := pebbletest.Start(t, pebbletest.Options{})
	proxy := newAuthzRewriter(t, srv, edit)
	st := store.NewMemory()
	iss, err := acme.New(acme.Config{
		DirectoryURL: proxy.dirURL, AgreeTOS: true, HTTPClient: srv.HTTPClient(), Store: st,
		Logger: quiet(), DefaultProfile: "shortlived", ValidationTimeout: timeout,
	})
	require.NoError(t, err)
	m, err := certs.New(certs.Config{Store: st, Issuer: iss, Logger: quiet()})
	require.NoError(t, err)
	if http01 == nil {
		http01 = m.HTTPHandler(nil)
	}
	srv.HandleHTTP01(t, http01)
	return m, proxy
}

// What the CA says when a challenge fails, or that it did not finish in
// time, is recorded on the hostname, and the error says which it was.
func TestObtainRecordsCAValidationProblems(t *testing.T) {
	t.Parallel()
	wrongKeyAuth := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "not-the-key-authorization")
	})
	tests := []struct {
		name       string
		edit       func(map[string]any)
		http01     http.Handler // nil: the Manager's HTTPHandler
		timeout    time.Duration
		timedOut   bool
		wantDetail func(a *authzRewriter, domain string) string // in the recorded Detail
	}{
		{
			name: "challenge invalid inside a pending authorization: the CA's detail",
			edit: pendingStatus(false), http01: wrongKeyAuth,
			wantDetail: func(a *authzRewriter, domain string) string { return a.detail(domain) },
		},
		{
			name: "the CA never finishes: a timeout naming the domain",
			edit: pendingStatus(true), timeout: time.Second, timedOut: true,
			wantDetail: func(*authzRewriter, string) string { return "did not finish validating within 1s" },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, proxy := newRewrittenManager(t, tc.edit, tc.http01, tc.timeout)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			host := pebbletest.UniqueDomain("")

			start := time.Now()
			_, err := m.Obtain(ctx, host, certs.ObtainOptions{})
			require.Less(t, time.Since(start), 15*time.Second, "far under the 3-minute default")
			require.ErrorIs(t, err, certs.ErrValidationFailed)
			require.Equal(t, tc.timedOut, errors.Is(err, certs.ErrValidationTimeout), err.Error())
			var verr *certs.ValidationError
			require.True(t, errors.As(err, &verr))

			h, err := m.Get(ctx, host)
			require.NoError(t, err)
			require.Equal(t, verr.Problems, h.ValidationErrors, "the problems are recorded on the hostname")
			require.Len(t, h.ValidationErrors, 1)
			p := h.ValidationErrors[0]
			require.Equal(t, host, p.Domain)
			require.Equal(t, certs.ChallengeHTTP01, p.Challenge)
			want := tc.wantDetail(proxy, host)
			require.NotEmpty(t, want)
			require.Contains(t, p.Detail, want)
			require.Contains(t, p.Hint, host)
		})
	}
}
