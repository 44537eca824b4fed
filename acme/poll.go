package acme

import (
	"context"
	"time"
)

// poller spaces out polls of the CA: delays start small and double up to a
// cap, never shorter than the CA's Retry-After. Waits end when ctx is done.
type poller struct {
	delay, max time.Duration
	floor      time.Duration // the CA's Retry-After, if any
}

func newPoller(start, maxDelay time.Duration) *poller {
	return &poller{delay: start, max: maxDelay}
}

// retryAfter raises the minimum delay to the CA's Retry-After, capped at max.
func (p *poller) retryAfter(d time.Duration) {
	p.floor = min(d, p.max)
}

// wait sleeps for the next delay or until ctx is done.
func (p *poller) wait(ctx context.Context) error {
	d := max(p.delay, p.floor)
	p.delay = min(p.delay*2, p.max)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// waitUnless waits unless skip is set; a skipped wait still fails when ctx
// is done.
func (p *poller) waitUnless(ctx context.Context, skip bool) error {
	if skip {
		return ctx.Err()
	}
	return p.wait(ctx)
}
