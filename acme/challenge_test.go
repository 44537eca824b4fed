package acme_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// quirkyCA is what a rewriting proxy in front of Pebble saw: the challenges
// of the authorizations it passed on and the challenge POSTs it received.
type quirkyCA struct {
	mu         sync.Mutex
	challenges map[string]map[string]any // by URL path, as last seen
	details    map[string]string         // challenge error detail, by identifier
	posts      map[string]int            // challenge POSTs, by URL path
}

func newQuirkyCA() *quirkyCA {
	return &quirkyCA{challenges: map[string]map[string]any{}, details: map[string]string{}, posts: map[string]int{}}
}

// authz returns a rewrite of authorization responses: it records them, then
// edits them with edit (if any).
func (q *quirkyCA) authz(edit func(obj map[string]any)) func(*http.Request, []byte) []byte {
	return func(r *http.Request, body []byte) []byte {
		if !strings.HasPrefix(r.URL.Path, "/authZ/") {
			return body
		}
		return editJSON(body, func(obj map[string]any) {
			q.see(obj)
			if edit != nil {
				edit(obj)
			}
		})
	}
}

// see records the challenges of an authorization and their errors.
func (q *quirkyCA) see(obj map[string]any) {
	ident, _ := obj["identifier"].(map[string]any)
	domain, _ := ident["value"].(string)
	chals, _ := obj["challenges"].([]any)
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, c := range chals {
		ch, _ := c.(map[string]any)
		raw, _ := ch["url"].(string)
		if u, err := url.Parse(raw); err == nil {
			q.challenges[u.Path] = ch
		}
		if pd, ok := ch["error"].(map[string]any); ok {
			q.details[domain], _ = pd["detail"].(string)
		}
	}
}

// ignoreFirstPost answers the first POST to each challenge itself, with the
// challenge still pending, as a CA that did not start validating would.
func (q *quirkyCA) ignoreFirstPost(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/chalZ/") {
		return false
	}
	q.mu.Lock()
	q.posts[r.URL.Path]++
	first, ch := q.posts[r.URL.Path] == 1, q.challenges[r.URL.Path]
	q.mu.Unlock()
	if !first || ch == nil {
		return false
	}
	_, _ = io.Copy(io.Discard, r.Body)
	out := map[string]any{}
	for k, v := range ch {
		out[k] = v
	}
	out["status"] = "pending"
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
	return true
}

// setStatus returns an edit that sets the status of an authorization (and
// of its challenges, with chals) to status when it is one of from.
func setStatus(status string, chals bool, from ...string) func(obj map[string]any) {
	set := func(o map[string]any) {
		for _, f := range from {
			if o["status"] == f {
				o["status"] = status
			}
		}
	}
	return func(obj map[string]any) {
		set(obj)
		list, _ := obj["challenges"].([]any)
		for _, c := range list {
			if ch, ok := c.(map[string]any); ok && chals {
				set(ch)
			}
		}
	}
}

// problems returns the ValidationError of err, which must have one problem
// per name.
func problems(t *testing.T, err error, names ...string) *certs.ValidationError {
	t.Helper()
	require.ErrorIs(t, err, certs.ErrValidationFailed)
	var ve *certs.ValidationError
	require.True(t, errors.As(err, &ve))
	require.Len(t, ve.Problems, len(names), "one problem per name")
	var domains []string
	for _, p := range ve.Problems {
		domains = append(domains, p.Domain)
		require.Equal(t, certs.ChallengeHTTP01, p.Challenge)
		require.Contains(t, p.Hint, "/.well-known/acme-challenge/")
	}
	require.ElementsMatch(t, names, domains)
	return ve
}

// quirkyCase is a CA behaviour, made by a rewriting proxy, and what Issue
// must do about it.
type quirkyCase struct {
	name    string
	hooks   func(q *quirkyCA) proxyHooks
	wrong   bool          // serve a wrong key authorization
	timeout time.Duration // Config.ValidationTimeout
	within  time.Duration // Issue returns within
	check   func(t *testing.T, q *quirkyCA, ic *certs.IssuedCertificate, err error, names []string)
}

// CAs that do not follow RFC 8555 to the letter: the client looks at its
// own challenge inside a pending authorization, asks again when the CA did
// not start, and reports a timeout with what it knows.
func TestValidationQuirkyCA(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	tests := []quirkyCase{
		{
			name: "challenge invalid inside a pending authorization: the CA's detail, at once",
			hooks: func(q *quirkyCA) proxyHooks {
				return proxyHooks{rewrite: q.authz(setStatus("pending", false, "invalid"))}
			},
			wrong: true, within: 10 * time.Second, check: checkCADetail,
		},
		{
			name: "first challenge POST ignored: posted again",
			hooks: func(q *quirkyCA) proxyHooks {
				return proxyHooks{intercept: q.ignoreFirstPost, rewrite: q.authz(nil)}
			},
			within: 10 * time.Second, check: checkPostedAgain(e),
		},
		{
			name: "authorization pending for ever: a typed timeout naming the domains",
			hooks: func(q *quirkyCA) proxyHooks {
				return proxyHooks{rewrite: q.authz(setStatus("pending", true, "valid", "processing", "invalid"))}
			},
			timeout: time.Second, within: 5 * time.Second, check: checkTimedOut,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := newQuirkyCA()
			p := newHookedProxy(t, e.srv, tc.hooks(q))
			iss := e.issuer(t, func(c *acme.Config) { c.DirectoryURL, c.ValidationTimeout = p.dirURL, tc.timeout })
			name := pebbletest.UniqueDomain("")
			req := e.request(name, "www."+name)
			if tc.wrong {
				req.HTTP01 = wrongHTTP{e.http01}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			ic, err := iss.Issue(ctx, req)
			t.Log(err)
			require.Less(t, time.Since(start), tc.within)
			tc.check(t, q, ic, err, []string{name, "www." + name})
		})
	}
}

// checkCADetail wants each name's problem to carry the CA's own detail.
func checkCADetail(t *testing.T, q *quirkyCA, _ *certs.IssuedCertificate, err error, names []string) {
	ve := problems(t, err, names...)
	require.NotErrorIs(t, err, certs.ErrValidationTimeout)
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range ve.Problems {
		require.NotEmpty(t, q.details[p.Domain], "Pebble reported an error for %s", p.Domain)
		require.Equal(t, q.details[p.Domain], p.Detail)
	}
}

// checkPostedAgain wants a certificate, each challenge having been POSTed
// twice.
func checkPostedAgain(e *env) func(*testing.T, *quirkyCA, *certs.IssuedCertificate, error, []string) {
	return func(t *testing.T, q *quirkyCA, ic *certs.IssuedCertificate, err error, names []string) {
		require.NoError(t, err)
		e.parseIssued(t, ic)
		q.mu.Lock()
		defer q.mu.Unlock()
		require.Len(t, q.posts, len(names), "one challenge per name")
		for path, n := range q.posts {
			require.Equal(t, 2, n, "POSTs to %s", path)
		}
	}
}

// checkTimedOut wants a timeout with a problem per name.
func checkTimedOut(t *testing.T, _ *quirkyCA, _ *certs.IssuedCertificate, err error, names []string) {
	ve := problems(t, err, names...)
	require.ErrorIs(t, err, certs.ErrValidationTimeout)
	require.True(t, ve.TimedOut)
	for _, p := range ve.Problems {
		require.Contains(t, p.Detail, "did not finish validating within 1s")
		require.Contains(t, p.Detail, "challenge pending")
	}
}
