package acme_test

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

func TestRenewalInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	ctx := testContext(t)
	ic, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
	leaf := e.parseIssued(t, ic)[0]

	w, err := iss.RenewalInfo(ctx, leaf)
	require.NoError(t, err)
	require.True(t, w.Start.After(leaf.NotBefore) && w.End.Before(leaf.NotAfter), "window %v-%v inside validity", w.Start, w.End)
	require.True(t, w.Start.Before(w.End))
	require.WithinDuration(t, time.Now().Add(6*time.Hour), w.RetryAfter, time.Minute, "Pebble's Retry-After")

	start := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	end := start.Add(30 * time.Minute)
	ari := fmt.Sprintf(`{"suggestedWindow":{"start":%q,"end":%q},"explanationURL":"https://ca.test/incident"}`,
		start.Format(time.RFC3339), end.Format(time.RFC3339))
	require.NoError(t, e.srv.SetRenewalInfo(ctx, ic.ChainPEM, ari))
	w, err = iss.RenewalInfo(ctx, leaf)
	require.NoError(t, err)
	require.True(t, start.Equal(w.Start), "forced start %v, got %v", start, w.Start)
	require.True(t, end.Equal(w.End))
	require.Equal(t, "https://ca.test/incident", w.ExplanationURL)

	require.NoError(t, e.srv.SetRenewalInfo(ctx, ic.ChainPEM, `{"suggestedWindow":{}}`))
	_, err = iss.RenewalInfo(ctx, leaf)
	require.ErrorContains(t, err, "invalid window")

	_, err = iss.RenewalInfo(ctx, nil)
	require.Error(t, err)
}

func TestRenewalInfoUnknownCertificate(t *testing.T) {
	t.Parallel()
	e, other := newEnv(t, pebbletest.Options{}), newEnv(t, pebbletest.Options{})
	ic, err := other.issuer(t).Issue(testContext(t), other.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
	_, err = e.issuer(t).RenewalInfo(testContext(t), other.parseIssued(t, ic)[0])
	require.ErrorContains(t, err, "acme: renewal info")
}

func TestIssueReplaces(t *testing.T) {
	t.Parallel()
	e, other := newEnv(t, pebbletest.Options{}), newEnv(t, pebbletest.Options{})
	sent := &replacesSent{}
	p := newProxy(t, e.srv, sent.intercept(t))
	iss := e.issuer(t, func(c *acme.Config) { c.DirectoryURL = p.dirURL })
	ctx := testContext(t)
	name := pebbletest.UniqueDomain("")
	ic, err := iss.Issue(ctx, e.request(name))
	require.NoError(t, err)
	old := e.parseIssued(t, ic)[0]
	foreign, err := other.issuer(t).Issue(ctx, other.request(name))
	require.NoError(t, err)
	foreignLeaf := other.parseIssued(t, foreign)[0]

	tests := []struct {
		name     string
		replaces *x509.Certificate
		orders   []*x509.Certificate // the "replaces" of each newOrder sent (nil: none)
	}{
		{"replacement", old, []*x509.Certificate{old}},
		{"already replaced: the CA refuses, ordered without", old, []*x509.Certificate{old, nil}},
		{"certificate of another CA: ordered without", foreignLeaf, []*x509.Certificate{foreignLeaf, nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sent.reset()
			req := e.request(name)
			req.Replaces = tc.replaces
			ic, err := iss.Issue(ctx, req)
			require.NoError(t, err)
			e.parseIssued(t, ic)
			want := make([]string, len(tc.orders))
			for i, c := range tc.orders {
				if c != nil {
					want[i], err = certificate.MakeARICertID(c)
					require.NoError(t, err)
				}
			}
			require.Equal(t, want, sent.get(), "the ARI cert ID sent as replaces")
			// Pebble marks the replaced order from a goroutine that may still
			// run after the certificate is served, and reads the mark without
			// a lock (a data race inside Pebble): let it finish first.
			time.Sleep(200 * time.Millisecond)
		})
	}
}

// replacesSent records the "replaces" of every newOrder request ("" when
// absent), as the CA receives it.
type replacesSent struct {
	mu   sync.Mutex
	list []string
}

// intercept is a proxy hook that records and forwards.
func (r *replacesSent) intercept(t *testing.T) func(http.ResponseWriter, *http.Request) bool {
	return func(_ http.ResponseWriter, req *http.Request) bool {
		if req.Method == http.MethodPost && req.URL.Path == "/order-plz" {
			v, _ := jwsPayload(t, readBody(t, req))["replaces"].(string)
			r.mu.Lock()
			r.list = append(r.list, v)
			r.mu.Unlock()
		}
		return false
	}
}

func (r *replacesSent) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = nil
}

func (r *replacesSent) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.list)
}
