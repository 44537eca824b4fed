package dnsprovider_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider"
)

// fakeLego is a lego challenge.Provider that records its calls.
type fakeLego struct {
	mu    sync.Mutex
	calls []string
	err   error
	block chan struct{} // when set, calls wait for it to close
	panic bool
}

func (f *fakeLego) call(op, domain, token, keyAuth string) error {
	f.mu.Lock()
	f.calls = append(f.calls, op+" "+domain+" "+token+" "+keyAuth)
	f.mu.Unlock()
	if f.block != nil {
		<-f.block
	}
	if f.panic {
		panic("boom")
	}
	return f.err
}

func (f *fakeLego) Present(domain, token, keyAuth string) error {
	return f.call("present", domain, token, keyAuth)
}

func (f *fakeLego) CleanUp(domain, token, keyAuth string) error {
	return f.call("cleanup", domain, token, keyAuth)
}

func (f *fakeLego) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// fakeLegoTimeout adds challenge.ProviderTimeout.
type fakeLegoTimeout struct{ fakeLego }

func (f *fakeLegoTimeout) Timeout() (time.Duration, time.Duration) {
	return 3 * time.Minute, 7 * time.Second
}

var rec = certs.DNSRecord{Domain: "example.com", FQDN: "_acme-challenge.example.com.", Value: "v", Token: "tok", KeyAuth: "tok.thumb"}

func TestFromLegoCalls(t *testing.T) {
	f := &fakeLego{}
	p := dnsprovider.FromLego(f)
	require.NoError(t, p.Present(context.Background(), rec))
	require.NoError(t, p.CleanUp(context.Background(), rec))
	require.Equal(t, []string{"present example.com tok tok.thumb", "cleanup example.com tok tok.thumb"}, f.Calls())
	_, ok := p.(dnsprovider.TimeoutProvider)
	require.False(t, ok, "no Timeout without challenge.ProviderTimeout")
}

func TestFromLegoTimeout(t *testing.T) {
	p := dnsprovider.FromLego(&fakeLegoTimeout{})
	tp, ok := p.(dnsprovider.TimeoutProvider)
	require.True(t, ok)
	timeout, interval := tp.Timeout()
	require.Equal(t, 3*time.Minute, timeout)
	require.Equal(t, 7*time.Second, interval)
}

func TestFromLegoErrors(t *testing.T) {
	cause := errors.New("api said no")
	f := &fakeLego{err: cause}
	err := dnsprovider.FromLego(f).Present(context.Background(), rec)
	require.ErrorIs(t, err, cause)
	require.EqualError(t, err, "dnsprovider: present TXT record for example.com: api said no")

	err = dnsprovider.FromLego(&fakeLego{panic: true}).CleanUp(context.Background(), rec)
	require.ErrorIs(t, err, dnsprovider.ErrProviderPanic)
}

func TestFromLegoContext(t *testing.T) {
	t.Run("done before the call makes no call", func(t *testing.T) {
		f := &fakeLego{}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, dnsprovider.FromLego(f).Present(ctx, rec), context.Canceled)
		require.Empty(t, f.Calls())
	})
	t.Run("done during the call returns at once", func(t *testing.T) {
		f := &fakeLego{block: make(chan struct{})}
		defer close(f.block)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := dnsprovider.FromLego(f).Present(ctx, rec)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Less(t, time.Since(start), time.Second)
		require.Len(t, f.Calls(), 1)
	})
}
