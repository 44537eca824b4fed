package acme

import (
	"context"
	"testing"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"
	"github.com/stretchr/testify/require"
)

// A challenge left pending is POSTed again 2 s, 4 s and 8 s after the
// previous POST, and never more than maxChallengePosts times in all.
func TestRepostSchedule(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		posts int
		want  time.Duration // after t0; 0: not POSTed again
	}{
		{posts: 0},
		{posts: 1, want: 2 * time.Second},
		{posts: 2, want: 4 * time.Second},
		{posts: 3, want: 8 * time.Second},
		{posts: maxChallengePosts},
		{posts: maxChallengePosts + 1},
	}
	for _, tc := range tests {
		at, ok := repostAt(tc.posts, t0)
		require.Equal(t, tc.want != 0, ok, "posts %d", tc.posts)
		if ok {
			require.Equal(t, t0.Add(tc.want), at, "posts %d", tc.posts)
		}
	}
}

func TestNextRepost(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	at := func(status string, posts int, posted time.Time) *attempt {
		return &attempt{status: status, posts: posts, posted: posted}
	}
	tests := []struct {
		name    string
		pending []*attempt
		want    time.Time
	}{
		{"none", nil, time.Time{}},
		{"processing is not POSTed again", []*attempt{at(legoacme.StatusProcessing, 1, t0)}, time.Time{}},
		{"bound reached", []*attempt{at(legoacme.StatusPending, maxChallengePosts, t0)}, time.Time{}},
		{"the earliest", []*attempt{
			at(legoacme.StatusPending, 2, t0),                  // t0+4s
			at(legoacme.StatusPending, 1, t0.Add(time.Second)), // t0+3s
			at(legoacme.StatusValid, 1, t0),
		}, t0.Add(3 * time.Second)},
	}
	for _, tc := range tests {
		require.True(t, tc.want.Equal(nextRepost(tc.pending)), tc.name)
	}
}

// notAfter shortens the next wait, but not below the CA's Retry-After.
func TestPollerNotAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		retryAfter    time.Duration
		until         time.Duration
		atLeast, less time.Duration
	}{
		{"cut to the limit", 0, 20 * time.Millisecond, 0, 500 * time.Millisecond},
		{"Retry-After wins", 300 * time.Millisecond, 0, 300 * time.Millisecond, 2 * time.Second},
	}
	for _, tc := range tests {
		p := newPoller(5*time.Second, 5*time.Second)
		if tc.retryAfter > 0 {
			p.retryAfter(tc.retryAfter)
		}
		p.notAfter(time.Now().Add(tc.until))
		start := time.Now()
		require.NoError(t, p.wait(context.Background()))
		require.GreaterOrEqual(t, time.Since(start), tc.atLeast, tc.name)
		require.Less(t, time.Since(start), tc.less, tc.name)
	}
}
