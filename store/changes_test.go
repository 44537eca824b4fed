package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestFSFollow: the filesystem store reports, by polling, each record
// written after the position LastChange gave, each one written or deleted
// later, and stops when ctx is done; Encrypted passes the feed through,
// and a store without one says so.
func TestFSFollow(t *testing.T) {
	ctx := context.Background()
	fsys, err := NewFS(t.TempDir())
	require.NoError(t, err)
	fsys.PollInterval = 20 * time.Millisecond
	key, err := GenerateKey("k")
	require.NoError(t, err)
	enc, err := NewEncrypted(fsys, key)
	require.NoError(t, err)
	pos, err := enc.(ChangeFeed).LastChange(ctx)
	require.NoError(t, err)
	require.NoError(t, enc.Put(ctx, &Record{Name: "a.example.com", Data: []byte("{}")}))

	var mu sync.Mutex
	var got []Change
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- enc.(ChangeFeed).Follow(fctx, pos, func(c Change) error {
			mu.Lock()
			got = append(got, c)
			mu.Unlock()
			return nil
		})
	}()
	seen := func(name string, deleted bool) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range got {
			if c.Name == name && c.Deleted == deleted {
				return true
			}
		}
		return false
	}
	wait := func(name string, deleted bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !seen(name, deleted) {
			require.True(t, time.Now().Before(deadline), "no change for %s (deleted %v)", name, deleted)
			time.Sleep(10 * time.Millisecond)
		}
	}
	wait("a.example.com", false)
	require.NoError(t, enc.Put(ctx, &Record{Name: "b.example.com", Data: []byte("{}")}))
	wait("b.example.com", false)
	require.NoError(t, enc.Delete(ctx, "a.example.com"))
	wait("a.example.com", true)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	memEnc, err := NewEncrypted(NewMemory(), key)
	require.NoError(t, err)
	require.ErrorIs(t, memEnc.(ChangeFeed).Follow(ctx, 0, func(Change) error { return nil }), ErrNoChangeFeed)
}

func TestPollPause(t *testing.T) {
	tests := []struct {
		name        string
		every, took time.Duration
		want        time.Duration
	}{
		{"quick poll: the interval", time.Second, 10 * time.Millisecond, time.Second},
		{"a quarter of the interval: still the interval", time.Second, 250 * time.Millisecond, time.Second},
		{"slow poll: four times its length", time.Second, 3 * time.Second, 12 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, pollPause(tc.every, tc.took))
		})
	}
}

// TestThrottle: a background walk sleeps four times as long as each 1024
// steps took, and not before.
func TestThrottle(t *testing.T) {
	clock := time.Unix(0, 0)
	var slept []time.Duration
	th := &throttle{start: clock, now: func() time.Time { return clock }, sleep: func(d time.Duration) {
		slept = append(slept, d)
		clock = clock.Add(d)
	}}
	for range 2 * throttleEvery {
		clock = clock.Add(time.Millisecond)
		th.step()
		if th.n == throttleEvery-1 {
			require.Empty(t, slept)
		}
	}
	want := 4 * throttleEvery * time.Millisecond
	require.Equal(t, []time.Duration{want, want}, slept)
}
