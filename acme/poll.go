package acme

import (
	"context"
	"time"
)

// poller spaces out polls of the CA: delays start small and double up to a
// cap, never shorter than the CA's Retry-After. Waits end when ctx is done.
type poller struct {
	start, delay, max time.Duration
	floor             time.Duration // the CA's Retry-After, if any
	until             time.Time     // the next wait ends by then, if set
}

func newPoller(start, maxDelay time.Duration) *poller {
	return &poller{start: start, delay: start, max: maxDelay}
}

// reset makes the next delay small again, for a new request to the CA.
func (p *poller) reset() { p.delay = p.start }

// retryAfter raises the minimum delay to the CA's Retry-After, capped at max.
func (p *poller) retryAfter(d time.Duration) {
	p.floor = min(d, p.max)
}

// notAfter makes the next wait end by t (zero: no limit), unless the CA's
// Retry-After asks for longer.
func (p *poller) notAfter(t time.Time) { p.until = t }

// wait sleeps for the next delay or until ctx is done.
func (p *poller) wait(ctx context.Context) error {
	d := p.delay
	if !p.until.IsZero() {
		d = min(d, time.Until(p.until))
		p.until = time.Time{}
	}
	d = max(d, p.floor)
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
