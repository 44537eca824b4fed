package acme

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/store"
)

func TestAccountKeyIsAValidStoreKey(t *testing.T) {
	t.Parallel()
	st := store.NewMemory()
	emails := []string{"", "ops@example.com", "a+b@example.com", "a_b@example.com", "ü@example.com", "x@[127.0.0.1]"}
	seen := map[string]string{}
	for _, e := range emails {
		k := accountKey("https://acme.test/dir", e)
		require.NoError(t, st.PutBlob(t.Context(), k, []byte("x")), k)
		require.NotContains(t, seen, k, "injective")
		seen[k] = e
	}
	require.Equal(t, "ops_40example.com", escapeSegment("ops@example.com"))
	require.NotEqual(t, escapeSegment("a+b"), escapeSegment("a_b"))
	require.NotEqual(t, accountKey("https://a.test/dir", ""), accountKey("https://b.test/dir", ""))
}

func TestParseRenewalInfo(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	body := []byte(`{"suggestedWindow":{"start":"2030-01-10T00:00:00Z","end":"2030-01-11T00:00:00Z"},"explanationURL":"https://x.test"}`)
	tests := []struct {
		retryAfter string
		want       time.Duration
	}{
		{"", 6 * time.Hour},
		{"3600", time.Hour},
		{"1", time.Minute},         // clamped up
		{"604800", 24 * time.Hour}, // clamped down
		{"soon", 6 * time.Hour},    // unparsable
	}
	for _, tc := range tests {
		w, err := parseRenewalInfo(body, tc.retryAfter, now)
		require.NoError(t, err)
		require.Equal(t, now.Add(tc.want), w.RetryAfter, tc.retryAfter)
		require.Equal(t, time.Date(2030, 1, 10, 0, 0, 0, 0, time.UTC), w.Start.UTC())
		require.Equal(t, "https://x.test", w.ExplanationURL)
	}
	for _, bad := range []string{`{`, `{}`, `{"suggestedWindow":{"start":"2030-01-11T00:00:00Z","end":"2030-01-10T00:00:00Z"}}`} {
		_, err := parseRenewalInfo([]byte(bad), "", now)
		require.Error(t, err, bad)
	}
}

func FuzzParseRenewalInfo(f *testing.F) {
	f.Add([]byte(`{"suggestedWindow":{"start":"2030-01-10T00:00:00Z","end":"2030-01-11T00:00:00Z"}}`), "60")
	f.Add([]byte(`{}`), "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Fuzz(func(t *testing.T, body []byte, retryAfter string) {
		now := time.Now()
		w, err := parseRenewalInfo(body, retryAfter, now)
		if err != nil {
			return
		}
		if w.End.Before(w.Start) || w.RetryAfter.Before(now.Add(minARIRetry)) || w.RetryAfter.After(now.Add(maxARIRetry)) {
			t.Fatalf("accepted an inconsistent window: %+v", w)
		}
	})
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"example.com", "*.example.com", "WWW.Example.COM.", "bücher.de", "1.2.3.4", "a..b", "*.*.x.y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n, err := normalizeName(name)
		if err != nil {
			return
		}
		again, err := normalizeName(n)
		if err != nil || again != n {
			t.Fatalf("normalizeName is not idempotent: %q -> %q -> %q (%v)", name, n, again, err)
		}
		if strings.Count(n, "*") > 1 || (strings.Contains(n, "*") && !strings.HasPrefix(n, "*.")) {
			t.Fatalf("bad wildcard accepted: %q", n)
		}
	})
}

func TestCAError(t *testing.T) {
	t.Parallel()
	problem := func(typ string) error {
		return fmt.Errorf("wrapped: %w", &legoacme.ProblemDetails{Type: typ, Detail: "d", HTTPStatus: 400})
	}
	ctx := context.Background()
	require.ErrorIs(t, caError(ctx, "revoke", problem(problemAlreadyRevoked)), certs.ErrAlreadyRevoked)
	require.ErrorIs(t, caError(ctx, "register", problem(problemExternalAccountReq)), ErrEABRequired)

	err := caError(ctx, "order", problem(problemRateLimited)) // not a 429
	var rl *certs.RateLimitError
	require.True(t, errors.As(err, &rl))
	require.WithinDuration(t, time.Now().Add(defaultRateLimitWait), rl.RetryAfter, time.Minute)

	err = caError(ctx, "order", &legoacme.RateLimitedError{ProblemDetails: &legoacme.ProblemDetails{Detail: "slow down"}, RetryAfter: "0"})
	require.True(t, errors.As(err, &rl))
	require.WithinDuration(t, time.Now(), rl.RetryAfter, time.Minute)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = caError(cctx, "order", errors.New("connection reset"))
	require.ErrorIs(t, err, context.Canceled)
	require.Contains(t, err.Error(), "connection reset")
	require.True(t, strings.HasPrefix(err.Error(), "acme: order: "))
}

func TestLegoLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	l := LegoLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l.Printf("[INFO] acme: Registering account for %s", "a@b.c")
	l.Println("[WARN] cleaning up failed")
	l.Print("plain")
	out := buf.String()
	require.Contains(t, out, `level=DEBUG msg="acme: Registering account for a@b.c" source=lego`)
	require.Contains(t, out, `level=WARN msg="cleaning up failed"`)
	require.Contains(t, out, `level=INFO msg=plain`)
}
