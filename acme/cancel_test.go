package acme_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// blockingSolver blocks in Present until ctx is done.
type blockingSolver struct {
	entered  chan struct{}
	once     sync.Once
	cleanups atomic.Int32
}

func (b *blockingSolver) Present(ctx context.Context, _, _, _ string) error {
	b.once.Do(func() { close(b.entered) })
	<-ctx.Done()
	return ctx.Err()
}

func (b *blockingSolver) CleanUp(context.Context, string, string, string) error {
	b.cleanups.Add(1)
	return nil
}

// ourGoroutines lists the goroutines running code of this package or lego
// (other than parallel tests of this package waiting for their turn).
func ourGoroutines() []string {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "testing.(*T).Parallel(") {
			continue
		}
		if strings.Contains(g, "github.com/certs-dev/certs/acme.") || strings.Contains(g, "github.com/go-acme/lego/") {
			out = append(out, g)
		}
	}
	return out
}

// requireNoLeak fails if goroutines of acme or lego outlive the call.
func requireNoLeak(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for len(ourGoroutines()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.Empty(t, ourGoroutines())
}

// Not parallel: the leak check looks at every goroutine of the process.
func TestCancellation(t *testing.T) {
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	_, err := iss.Issue(testContext(t), e.request(pebbletest.UniqueDomain(""))) // warm up: account, connections
	require.NoError(t, err)
	requireNoLeak(t)

	t.Run("cancel while presenting", func(t *testing.T) {
		solver := &blockingSolver{entered: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var seen atomic.Bool // the leak check sees a running Issue
		go func() { <-solver.entered; seen.Store(len(ourGoroutines()) > 0); cancel() }()
		req := e.request(pebbletest.UniqueDomain(""))
		req.HTTP01 = solver
		start := time.Now()
		_, err := iss.Issue(ctx, req)
		require.ErrorIs(t, err, context.Canceled)
		require.True(t, seen.Load())
		require.Less(t, time.Since(start), 2*time.Second)
		require.EqualValues(t, 1, solver.cleanups.Load(), "cleaned up after cancellation")
		requireNoLeak(t)
	})

	t.Run("deadline during DNS propagation", func(t *testing.T) {
		txt := &silentDNS{}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()
		req := e.request(pebbletest.UniqueDomain(""))
		req.Challenge, req.DNS01 = certs.ChallengeDNS01, txt
		start := time.Now()
		_, err := iss.Issue(ctx, req)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, time.Since(start), 2*time.Second)
		require.EqualValues(t, 1, txt.cleanups.Load())
		requireNoLeak(t)
	})

	t.Run("cancel while the CA validates", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		validating := make(chan struct{}, 8)
		e.http01.setBlock(func(r *http.Request) {
			validating <- struct{}{}
			select { // hold Pebble's validation request
			case <-release:
			case <-r.Context().Done():
			}
		})
		defer e.http01.setBlock(nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { <-validating; time.Sleep(200 * time.Millisecond); cancel() }()
		start := time.Now()
		_, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, time.Since(start), 3*time.Second)
		require.Zero(t, e.http01.len(), "token cleaned up")
		requireNoLeak(t)
	})

	t.Run("done before the call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for _, f := range []func() error{
			func() error { _, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain(""))); return err },
			func() error { return iss.Revoke(ctx, []byte(testLeafPEM(t, e, iss)), certs.ReasonUnspecified) },
		} {
			require.ErrorIs(t, f(), context.Canceled)
		}
		fresh := e.issuer(t, func(c *acme.Config) {})
		_, err := fresh.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
		require.ErrorIs(t, err, context.Canceled)
		requireNoLeak(t)
	})
}

// testLeafPEM issues a certificate and returns its chain.
func testLeafPEM(t *testing.T, e *env, iss *acme.Issuer) string {
	ic, err := iss.Issue(testContext(t), e.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
	return string(ic.ChainPEM)
}
