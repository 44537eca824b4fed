package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/store"
)

// Status is the state of a delivery.
type Status string

// The delivery states.
const (
	// StatusPending is a delivery not delivered yet: due now, or waiting
	// for its next attempt.
	StatusPending Status = "pending"
	// StatusDelivered is a delivery the receiver answered with a 2xx.
	StatusDelivered Status = "delivered"
	// StatusFailed is a delivery given up after Config.RetryFor; Redeliver
	// tries it again.
	StatusFailed Status = "failed"
)

// Attempt is one POST of a delivery.
type Attempt struct {
	At time.Time `json:"at"`
	// StatusCode is the receiver's HTTP status; zero when it gave none
	// (connection refused, timeout).
	StatusCode int `json:"status_code,omitempty"`
	// Error says why the attempt failed; empty for a success.
	Error string `json:"error,omitempty"`
	// Response is the start of the receiver's answer (256 bytes at most).
	Response string        `json:"response,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Delivery is one event for one subscription, and what became of it.
type Delivery struct {
	// ID is "<subscription>.<seq>", also the payload's ID.
	ID             string          `json:"id"`
	SubscriptionID string          `json:"subscription_id"`
	EventType      certs.EventType `json:"event_type"`
	Hostname       string          `json:"hostname"`
	Status         Status          `json:"status"`
	CreatedAt      time.Time       `json:"created_at"`
	// AttemptCount counts every attempt; Attempts are the latest 50.
	AttemptCount int       `json:"attempt_count"`
	Attempts     []Attempt `json:"attempts"`
	// NextAttemptAt is when a pending delivery is tried again.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// FinishedAt is when it was delivered or given up.
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Payload is the body POSTed.
	Payload json.RawMessage `json:"payload"`
}

func deliveryID(sub string, seq uint64) string { return sub + "." + strconv.FormatUint(seq, 10) }

func (sd *storedDelivery) delivery(sub string) Delivery {
	dl := Delivery{ID: deliveryID(sub, sd.Seq), SubscriptionID: sub, EventType: sd.Type, Hostname: sd.Hostname,
		Status: sd.Status, CreatedAt: sd.CreatedAt, AttemptCount: sd.AttemptCount,
		Attempts: append([]Attempt{}, sd.Attempts...), FinishedAt: sd.FinishedAt, Payload: sd.Body}
	if sd.Status == StatusPending {
		next := sd.due()
		dl.NextAttemptAt = &next
	}
	return dl
}

// ListOptions select and page Deliveries.
type ListOptions struct {
	// Status and Hostname, when set, keep only deliveries with them.
	Status   Status
	Hostname string
	// Cursor continues from a previous page's NextCursor.
	Cursor string
	// Limit caps the page; zero means 50, at most 500.
	Limit int
}

// DeliveryPage is one page of Deliveries, newest first.
type DeliveryPage struct {
	Deliveries []Delivery `json:"deliveries"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// Deliveries lists a subscription's deliveries, newest first: the pending
// ones and the last Config.History finished ones, each with its attempts.
// An unknown subscription is an error wrapping ErrNotFound.
func (d *Dispatcher) Deliveries(ctx context.Context, subscription string, opts ListOptions) (*DeliveryPage, error) {
	o, err := d.outboxFor(subscription)
	if err != nil {
		return nil, err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	d.mu.Lock()
	from, low := o.next, o.low
	d.mu.Unlock()
	if opts.Cursor != "" {
		c, err := strconv.ParseUint(opts.Cursor, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("webhook: cursor %q is not one Deliveries returned", opts.Cursor)
		}
		from = min(from, c)
	}
	page := &DeliveryPage{Deliveries: []Delivery{}}
	for seq := from; seq > low; seq-- {
		if len(page.Deliveries) == limit {
			page.NextCursor = strconv.FormatUint(seq, 10)
			break
		}
		sd, err := o.read(ctx, d.st, seq-1)
		switch {
		case errors.Is(err, store.ErrNotFound) || errors.Is(err, errDamaged):
			continue
		case err != nil:
			return nil, err
		}
		if (opts.Status == "" || sd.Status == opts.Status) && (opts.Hostname == "" || sd.Hostname == opts.Hostname) {
			page.Deliveries = append(page.Deliveries, sd.delivery(o.sub.ID))
		}
	}
	return page, nil
}

// Delivery returns one delivery by ID, or an error wrapping ErrNotFound.
func (d *Dispatcher) Delivery(ctx context.Context, id string) (*Delivery, error) {
	o, sd, err := d.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	dl := sd.delivery(o.sub.ID)
	return &dl, nil
}

func (d *Dispatcher) lookup(ctx context.Context, id string) (*outbox, *storedDelivery, error) {
	sub, num, ok := strings.Cut(id, ".")
	seq, err := strconv.ParseUint(num, 10, 64)
	if !ok || err != nil {
		return nil, nil, fmt.Errorf("%w: delivery %q (IDs look like wh_0123456789abcdef.42)", ErrNotFound, id)
	}
	o, err := d.outboxFor(sub)
	if err != nil {
		return nil, nil, err
	}
	sd, err := o.read(ctx, d.st, seq)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, fmt.Errorf("%w: delivery %q", ErrNotFound, id)
	}
	return o, sd, err
}

// Redeliver makes a failed delivery pending again: it is attempted at once
// and retried for another Config.RetryFor. It may then arrive after newer
// events of its hostname. The error wraps ErrNotFound or ErrNotFailed.
func (d *Dispatcher) Redeliver(ctx context.Context, id string) error {
	o, _, err := d.lookup(ctx, id)
	if err != nil {
		return err
	}
	o.io.Lock()
	defer o.io.Unlock()
	_, sd, err := d.lookup(ctx, id) // again, under the outbox's lock
	if err != nil {
		return err
	}
	if sd.Status != StatusFailed {
		return fmt.Errorf("%w: %s is %s", ErrNotFailed, id, sd.Status)
	}
	now := d.now()
	sd.Status, sd.FinishedAt, sd.FirstAttemptAt, sd.NextAttemptAt = StatusPending, nil, nil, &now
	if err := o.write(ctx, d.st, sd); err != nil {
		return err
	}
	d.mu.Lock()
	o.add(&entry{seq: sd.Seq, host: sd.Hostname, due: now})
	d.mu.Unlock()
	d.signal()
	return nil
}
