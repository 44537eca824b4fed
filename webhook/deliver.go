package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/certs-dev/certs/store"
)

// job is one hostname's queue of one subscription.
type job struct {
	o    *outbox
	host string
}

// Run delivers what is due, then waits for the next delivery to fall due
// or a new event, until ctx is done or Close is called. It returns
// ctx.Err(), or ErrClosed. Run it once per Dispatcher.
func (d *Dispatcher) Run(ctx context.Context) error {
	ctx, cancel := d.bind(ctx)
	defer cancel()
	for {
		if err := d.DeliverDue(ctx); err != nil {
			return d.stopErr(ctx, err)
		}
		if err := d.wait(ctx); err != nil {
			return d.stopErr(ctx, err)
		}
	}
}

// wait returns when a delivery falls due, an event arrives or ctx is done.
func (d *Dispatcher) wait(ctx context.Context) error {
	var timer <-chan time.Time
	if next, ok := d.nextDue(); ok {
		t := time.NewTimer(max(0, next.Sub(d.now())))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-d.wake:
	case <-timer:
	}
	return nil
}

// bind returns ctx, also canceled by Close.
func (d *Dispatcher) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(d.base, cancel)
	return ctx, func() { stop(); cancel() }
}

func (d *Dispatcher) stopErr(ctx context.Context, err error) error {
	if d.base.Err() != nil {
		return ErrClosed
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// DeliverDue attempts every delivery due at the Dispatcher's clock, each
// hostname's in order, Config.Workers at a time, and returns when none is
// left due (a delivery that fails is attempted once per call). Failures
// are recorded on the deliveries, not returned: the error is ctx's, or
// ErrClosed. Run calls it; tests with an injected clock call it instead.
func (d *Dispatcher) DeliverDue(ctx context.Context) error {
	ctx, cancel := d.bind(ctx)
	defer cancel()
	tried := map[job]bool{}
	for ctx.Err() == nil {
		jobs := d.claimDue(d.now(), tried)
		if len(jobs) == 0 {
			return nil
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, d.workers)
		var mu sync.Mutex
		for _, j := range jobs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				if !d.drain(ctx, j) {
					mu.Lock()
					tried[j] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		d.signal() // Run recomputes its next wake-up, these queues included
	}
	return d.stopErr(ctx, ctx.Err())
}

// claimDue marks busy and returns the queues whose head is due at now.
func (d *Dispatcher) claimDue(now time.Time, tried map[job]bool) []job {
	d.mu.Lock()
	defer d.mu.Unlock()
	var jobs []job
	for _, o := range d.outboxes {
		for host, q := range o.queues {
			j := job{o, host}
			if !o.busy[host] && !tried[j] && !q[0].due.After(now) {
				o.busy[host] = true
				jobs = append(jobs, j)
			}
		}
	}
	return jobs
}

// nextDue is the earliest due time of a queue head not being attempted.
func (d *Dispatcher) nextDue() (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var next time.Time
	found := false
	for _, o := range d.outboxes {
		for host, q := range o.queues {
			if !o.busy[host] && (!found || q[0].due.Before(next)) {
				next, found = q[0].due, true
			}
		}
	}
	return next, found
}

// drain attempts j's due heads in order until one fails, none is due or
// ctx is done; it reports whether the last attempt did not fail.
func (d *Dispatcher) drain(ctx context.Context, j job) bool {
	defer func() {
		d.mu.Lock()
		delete(j.o.busy, j.host)
		d.mu.Unlock()
	}()
	for ctx.Err() == nil {
		d.mu.Lock()
		q := j.o.queues[j.host]
		var e *entry
		if len(q) > 0 && !q[0].due.After(d.now()) && !j.o.removed {
			e = q[0]
		}
		d.mu.Unlock()
		if e == nil {
			return true
		}
		if !d.attempt(ctx, j.o, e) {
			return false
		}
	}
	return true
}

// attempt POSTs e's delivery, records the attempt and reports whether the
// delivery is finished (delivered, given up, or gone).
func (d *Dispatcher) attempt(ctx context.Context, o *outbox, e *entry) bool {
	sd, err := o.read(ctx, d.st, e.seq)
	switch {
	case ctx.Err() != nil:
		return false
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, errDamaged):
		d.log.Error("webhook: a delivery is gone or damaged; dropping it", "subscription", o.sub.ID, "seq", e.seq, "error", err)
		d.finish(ctx, o, e)
		return true
	case err != nil: // the Store failed: try again later, not the receiver's fault
		d.log.Warn("webhook: cannot read a delivery", "subscription", o.sub.ID, "seq", e.seq, "error", err)
		d.mu.Lock()
		e.due = d.now().Add(d.backoff[0])
		d.mu.Unlock()
		return false
	}
	a := d.post(ctx, o.sub, sd)
	if ctx.Err() != nil {
		return false // stopped, not the receiver's failure: not recorded
	}
	d.record(sd, a)
	if err := d.writeAttempt(ctx, o, sd); err != nil {
		d.log.Error("webhook: cannot record a delivery attempt", "subscription", o.sub.ID, "seq", e.seq, "error", err)
	}
	d.logAttempt(o, sd, a)
	if sd.Status != StatusPending {
		d.finish(ctx, o, e)
		return true
	}
	d.mu.Lock()
	e.due = *sd.NextAttemptAt
	d.mu.Unlock()
	return false
}

func (d *Dispatcher) writeAttempt(ctx context.Context, o *outbox, sd *storedDelivery) error {
	o.io.Lock()
	defer o.io.Unlock()
	d.mu.Lock()
	removed := o.removed
	d.mu.Unlock()
	if removed {
		return nil
	}
	return o.write(ctx, d.st, sd)
}

// finish drops e from memory and prunes the history.
func (d *Dispatcher) finish(ctx context.Context, o *outbox, e *entry) {
	d.mu.Lock()
	o.done(e)
	d.mu.Unlock()
	if err := d.prune(ctx, o); err != nil {
		d.log.Warn("webhook: cannot prune the delivery history", "subscription", o.sub.ID, "error", err)
	}
}

func (d *Dispatcher) logAttempt(o *outbox, sd *storedDelivery, a Attempt) {
	attrs := []any{"subscription", o.sub.ID, "delivery", deliveryID(o.sub.ID, sd.Seq), "event", sd.Type,
		"hostname", sd.Hostname, "attempt", sd.AttemptCount, "status_code", a.StatusCode}
	switch sd.Status {
	case StatusDelivered:
		d.log.Info("webhook: delivered", attrs...)
	case StatusFailed:
		d.log.Error("webhook: delivery given up", append(attrs, "error", a.Error)...)
	default:
		d.log.Warn("webhook: delivery attempt failed", append(attrs, "error", a.Error, "next_attempt_at", sd.NextAttemptAt)...)
	}
}

// post makes one attempt.
func (d *Dispatcher) post(ctx context.Context, sub Subscription, sd *storedDelivery) Attempt {
	now := d.now()
	a := Attempt{At: now}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(sd.Body))
	if err != nil {
		a.Error = "webhook: build the request: " + err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "certs-webhook/1")
	req.Header.Set(SignatureHeader, Sign(sub.Secret, now, sd.Body))
	req.Header.Set(EventHeader, string(sd.Type))
	req.Header.Set(DeliveryHeader, deliveryID(sub.ID, sd.Seq))
	start := time.Now()
	resp, err := d.client.Do(req)
	a.Duration = time.Since(start)
	if err != nil {
		a.Error = transportError(err, d.timeout)
		return a
	}
	defer resp.Body.Close()
	a.StatusCode = resp.StatusCode
	a.Response = snippet(resp.Body)
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.Error = fmt.Sprintf("the receiver answered %s; a delivery succeeds on a 2xx answer", resp.Status)
	}
	return a
}

// transportError describes a failed request without its URL, which may
// carry a token in its query.
func transportError(err error, timeout time.Duration) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s (Config.Timeout)", timeout)
	}
	return err.Error()
}

// snippet reads the start of a response body, for the attempt's record.
func snippet(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxResponseSnippet))
	return strings.ToValidUTF8(string(b), "")
}

const maxResponseSnippet = 256

// record applies attempt a to sd: delivered on a 2xx, else retried on the
// backoff until RetryFor after the first attempt (the last attempt at that
// moment), then failed.
func (d *Dispatcher) record(sd *storedDelivery, a Attempt) {
	sd.AttemptCount++
	sd.Attempts = append(sd.Attempts, a)
	if n := len(sd.Attempts); n > maxAttemptsKept {
		sd.Attempts = sd.Attempts[n-maxAttemptsKept:]
	}
	if sd.FirstAttemptAt == nil {
		sd.FirstAttemptAt = &a.At
	}
	sd.NextAttemptAt = nil
	if a.Error == "" {
		sd.Status, sd.FinishedAt = StatusDelivered, &a.At
		return
	}
	deadline := sd.FirstAttemptAt.Add(d.retryFor)
	if !a.At.Before(deadline) {
		sd.Status, sd.FinishedAt = StatusFailed, &a.At
		return
	}
	next := a.At.Add(d.backoff[min(sd.AttemptCount, len(d.backoff))-1])
	if next.After(deadline) {
		next = deadline
	}
	sd.NextAttemptAt = &next
}
