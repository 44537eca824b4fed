package deployhook_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/store"
)

// TestSeveralChangesRunTheCommandOnce: Run writes each change as it comes
// and runs the command once, Debounce after the first change of a batch,
// for every change made meanwhile. The Debounce wait is a channel the test
// fires.
func TestSeveralChangesRunTheCommandOnce(t *testing.T) {
	waits := make(chan time.Duration, 10)
	fire := make(chan time.Time)
	results := make(chan deployhook.Result, 10)
	e := newEnv(t, store.NewMemory(), newCA(t), t.TempDir(), deployhook.Config{
		Debounce: 7 * time.Second,
		After:    func(d time.Duration) <-chan time.Time { waits <- d; return fire },
		OnResult: func(r deployhook.Result) { results <- r },
	})
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.h.Run(ctx) }()

	e.importCert("a.example.com")
	e.importCert("b.example.com")
	e.importCert("a.example.com")
	e.importCert("c.example.com")
	require.Equal(t, 7*time.Second, <-waits)
	fire <- time.Now()
	r := <-results
	require.Equal(t, []string{"a.example.com", "b.example.com", "c.example.com"}, r.Renewed, e.logs.String())
	require.Len(t, e.runs(), 1)

	require.NoError(t, e.m.Remove(e.ctx, "b.example.com"))
	_, err := e.m.RemoveCustom(e.ctx, "c.example.com")
	require.NoError(t, err)
	<-waits
	fire <- time.Now()
	r = <-results
	require.Equal(t, []string{"b.example.com", "c.example.com"}, r.Removed)
	require.Len(t, e.runs(), 2)
	require.True(t, strings.HasPrefix(e.runs()[1], "|b.example.com c.example.com|"), e.runs()[1])

	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	go func() { done <- e.h.Run(e.ctx) }()
	e.h.Close()
	require.ErrorIs(t, <-done, deployhook.ErrClosed)
}

// TestCommandOutcomes: exit status, bounded output, and the typed error of
// each way a command ends; the output is also logged.
func TestCommandOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		command   string
		timeout   time.Duration
		exit      int
		output    string
		truncated bool
		err       error
	}{
		{"success", "echo reloaded $CERTS_RENEWED_DOMAINS", 0, 0, "reloaded a.example.com\n", false, nil},
		{"failure", "echo 'nginx: [emerg] bad config' >&2; exit 3", 0, 3, "nginx: [emerg] bad config\n", false, deployhook.ErrCommandFailed},
		{"output bounded", "head -c 5000 /dev/zero | tr '\\0' x", 0, 0, strings.Repeat("x", 100), true, nil},
		{"timeout", "echo never", time.Nanosecond, -1, "", false, deployhook.ErrCommandTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, store.NewMemory(), newCA(t), t.TempDir(),
				deployhook.Config{Command: tc.command, Timeout: tc.timeout, MaxOutput: 100})
			e.importCert("a.example.com")
			r := e.h.Flush(e.ctx)
			require.True(t, r.Ran)
			require.Equal(t, tc.exit, r.ExitCode)
			require.Equal(t, tc.output, r.Output)
			require.Equal(t, tc.truncated, r.Truncated)
			if tc.err == nil {
				require.NoError(t, r.Err)
				return
			}
			require.ErrorIs(t, r.Err, tc.err)
			require.Contains(t, e.logs.String(), "deploy command failed")
			require.Contains(t, e.logs.String(), strings.TrimSpace(tc.output))
		})
	}
}
