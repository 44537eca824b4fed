package acme_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// rateLimitProxy answers new-order POSTs with a 429 rateLimited problem
// carrying retryAfter (no header when empty) and forwards the rest to srv.
func rateLimitProxy(t *testing.T, srv *pebbletest.Server, retryAfter string) string {
	t.Helper()
	return newProxy(t, srv, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != "/order-plz" {
			return false
		}
		_, _ = io.Copy(io.Discard, r.Body)
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many certificates for this name","status":429}`)
		return true
	}).dirURL
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	in90s := time.Now().Add(90 * time.Second).UTC().Truncate(time.Second)
	tests := []struct {
		name       string
		retryAfter string
		want       func(start time.Time) time.Time
	}{
		{"seconds", "120", func(s time.Time) time.Time { return s.Add(120 * time.Second) }},
		{"HTTP date", in90s.Format(http.TimeFormat), func(time.Time) time.Time { return in90s }},
		{"missing: one hour", "", func(s time.Time) time.Time { return s.Add(time.Hour) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := rateLimitProxy(t, e.srv, tc.retryAfter)
			iss := e.issuer(t, func(c *acme.Config) { c.DirectoryURL = dir })
			start := time.Now()
			_, err := iss.Issue(testContext(t), e.request(pebbletest.UniqueDomain("")))
			require.ErrorIs(t, err, certs.ErrRateLimited)
			var rl *certs.RateLimitError
			require.True(t, errors.As(err, &rl))
			require.Equal(t, "too many certificates for this name", rl.Detail)
			require.WithinDuration(t, tc.want(start), rl.RetryAfter, 3*time.Second)
			require.True(t, strings.HasPrefix(err.Error(), "acme: new order: "), err.Error())
		})
	}
}
