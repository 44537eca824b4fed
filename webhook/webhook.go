// Package webhook delivers a certs.Manager's events to HTTP receivers:
// per-tenant subscriptions, a durable outbox in the Store, HMAC-SHA256
// signatures, at-least-once delivery in order per hostname, retries with
// backoff for a day, and every attempt on record.
//
// A Dispatcher subscribes to the Manager (Manager.Subscribe). Each event is
// written, for every subscription that wants it, to the outbox in the
// Store before the Manager's call returns: blobs under
// "webhooks/outbox/<subscription>/<seq>", so that what a process did not
// deliver before it stopped is delivered by the next Dispatcher on the same
// Store. Run (or DeliverDue) POSTs them: a hostname's events one after the
// other, a failing receiver for one hostname not holding back the others.
// A failed attempt is retried on Config.Backoff until Config.RetryFor after
// the first attempt, then the delivery is given up and kept as failed
// (Redeliver tries it again). Deliveries lists them with their attempts.
//
// A hostname's tenant is its TenantLabel ("certs.tenant"); a subscription
// receives only its tenant's events (or every event, with AllTenants).
//
// Receivers check the X-Certs-Signature header with Verify or
// VerifyRequest; deliveries are at least once, so they deduplicate on the
// payload's ID (X-Certs-Delivery). Payloads never carry key material.
//
// One Dispatcher serves a Store at a time: two processes running one on the
// same Store would number their outboxes' entries over each other.
package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/store"
)

// Config configures a Dispatcher. Manager and Store are required; the
// zero value of every other field is a documented default.
type Config struct {
	// Manager emits the events.
	Manager *certs.Manager
	// Store keeps the subscriptions (their secrets included) and the
	// outbox. Wrap it with store.NewEncrypted to seal them at rest.
	Store store.Store
	// Client sends the requests. Nil means a client that follows no
	// redirects (a 3xx answer is a failed attempt).
	Client *http.Client
	// Timeout bounds one attempt. Zero means 10 seconds.
	Timeout time.Duration
	// Backoff are the waits after the first, second, ... failed attempt;
	// the last one repeats. Nil means 30 s, 1 min, 5 min, 15 min, 30 min,
	// 1 h, 2 h, 4 h. Each must be positive.
	Backoff []time.Duration
	// RetryFor is how long after its first attempt a delivery is retried
	// before it is given up (kept as failed). Zero means 24 hours.
	RetryFor time.Duration
	// Workers bounds the attempts made at once. Zero means 4.
	Workers int
	// History is how many finished (delivered or failed) deliveries are
	// kept per subscription for Deliveries; older ones are deleted. Zero
	// means 1000.
	History int
	// AllowHTTP accepts http:// subscription URLs (receivers on a private
	// network, tests).
	AllowHTTP bool
	// Logger receives the logs. Nil means slog.Default().
	Logger *slog.Logger
	// Clock returns the current time. Nil means time.Now. Tests inject one
	// and call DeliverDue.
	Clock func() time.Time
}

// defaultBackoff is Config.Backoff's default.
func defaultBackoff() []time.Duration {
	return []time.Duration{30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute,
		30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour}
}

// Dispatcher writes a Manager's events to the outbox and delivers them.
// All its methods are safe for concurrent use.
type Dispatcher struct {
	m         *certs.Manager
	st        store.Store
	client    *http.Client
	log       *slog.Logger
	now       func() time.Time
	timeout   time.Duration
	backoff   []time.Duration
	retryFor  time.Duration
	workers   int
	history   int
	allowHTTP bool

	subsIO sync.Mutex // serializes writes of the subscriptions blob

	mu       sync.Mutex // guards what follows
	outboxes map[string]*outbox
	closed   bool
	inflight sync.WaitGroup // event callbacks under way

	wake        chan struct{} // a delivery became due
	base        context.Context
	cancel      context.CancelFunc
	unsubscribe func()
}

// New checks cfg, loads the subscriptions and the pending deliveries from
// the Store, and subscribes to the Manager's events: from its return on,
// every event is written to the outbox. Call Run to deliver them, and
// Close to stop.
func New(ctx context.Context, cfg Config) (*Dispatcher, error) {
	d, err := newDispatcher(cfg)
	if err != nil {
		return nil, err
	}
	subs, err := loadSubscriptions(ctx, d.st)
	if err != nil {
		return nil, err
	}
	for _, s := range subs {
		o, err := d.loadOutbox(ctx, s)
		if err != nil {
			return nil, err
		}
		d.outboxes[s.ID] = o
	}
	d.base, d.cancel = context.WithCancel(context.WithoutCancel(ctx))
	d.unsubscribe = cfg.Manager.Subscribe(d.handle)
	return d, nil
}

func newDispatcher(cfg Config) (*Dispatcher, error) {
	switch {
	case cfg.Manager == nil:
		return nil, fmt.Errorf("%w: Manager is required (the certs.Manager whose events are delivered)", ErrInvalidConfig)
	case cfg.Store == nil:
		return nil, fmt.Errorf("%w: Store is required (where the subscriptions and the outbox live; use the Manager's)", ErrInvalidConfig)
	case cfg.Timeout < 0 || cfg.RetryFor < 0 || cfg.Workers < 0 || cfg.History < 0:
		return nil, fmt.Errorf("%w: Timeout, RetryFor, Workers and History must not be negative", ErrInvalidConfig)
	case slices.ContainsFunc(cfg.Backoff, func(b time.Duration) bool { return b <= 0 }):
		return nil, fmt.Errorf("%w: every Backoff wait must be positive", ErrInvalidConfig)
	}
	d := &Dispatcher{m: cfg.Manager, st: cfg.Store, client: cfg.Client, log: cfg.Logger, now: cfg.Clock,
		timeout: orDefault(cfg.Timeout, 10*time.Second), backoff: cfg.Backoff, retryFor: orDefault(cfg.RetryFor, 24*time.Hour),
		workers: orDefault(cfg.Workers, 4), history: orDefault(cfg.History, 1000), allowHTTP: cfg.AllowHTTP,
		outboxes: map[string]*outbox{}, wake: make(chan struct{}, 1)}
	if d.client == nil {
		d.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.backoff == nil {
		d.backoff = defaultBackoff()
	}
	return d, nil
}

// orDefault returns v, or def when v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Close stops writing events to the outbox (it unsubscribes from the
// Manager, after the event callback under way, if any) and stops Run and
// DeliverDue; pending deliveries stay in the Store for the next
// Dispatcher. It is safe to call more than once.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.mu.Unlock()
	d.unsubscribe()
	d.inflight.Wait()
	d.cancel()
}

// String describes the Dispatcher without its subscriptions' secrets.
func (d *Dispatcher) String() string { return "webhook.Dispatcher{secrets not shown}" }

// AddSubscription stores a new subscription and returns it, with its ID
// and Secret filled when they were empty: show the secret to the
// subscriber now (Secret.Reveal). It receives the events emitted from
// then on. The error wraps ErrInvalidSubscription or
// ErrSubscriptionExists.
func (d *Dispatcher) AddSubscription(ctx context.Context, s Subscription) (*Subscription, error) {
	if err := s.check(d.allowHTTP); err != nil {
		return nil, err
	}
	s.CreatedAt = d.now()
	o, err := newOutbox(s)
	if err != nil {
		return nil, err
	}
	d.subsIO.Lock()
	defer d.subsIO.Unlock()
	if _, err := d.outboxFor(s.ID); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrSubscriptionExists, s.ID)
	}
	if err := saveSubscriptions(ctx, d.st, append(d.stored(""), storeSubscription(s, o.name))); err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.outboxes[s.ID] = o
	d.mu.Unlock()
	d.log.Info("webhook: subscription added", "subscription", s.ID, "tenant", s.Tenant)
	return &s, nil
}

// RemoveSubscription deletes a subscription and its outbox: its pending
// deliveries are dropped and its history deleted. Removing a subscription
// that does not exist is not an error.
func (d *Dispatcher) RemoveSubscription(ctx context.Context, id string) error {
	d.subsIO.Lock()
	defer d.subsIO.Unlock()
	o, err := d.outboxFor(id)
	if err != nil {
		return nil
	}
	if err := saveSubscriptions(ctx, d.st, d.stored(id)); err != nil {
		return err
	}
	d.mu.Lock()
	delete(d.outboxes, id)
	d.mu.Unlock()
	d.log.Info("webhook: subscription removed", "subscription", id)
	return o.deleteAll(ctx, d)
}

// stored returns the stored form of every subscription but except, by ID.
func (d *Dispatcher) stored(except string) []storedSubscription {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]storedSubscription, 0, len(d.outboxes))
	for id, o := range d.outboxes {
		if id != except {
			out = append(out, storeSubscription(o.sub, o.name))
		}
	}
	slices.SortFunc(out, func(a, b storedSubscription) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Subscriptions returns the subscriptions of tenant (those of every tenant
// when tenant is empty), by ID.
func (d *Dispatcher) Subscriptions(tenant string) []Subscription {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Subscription
	for _, o := range d.outboxes {
		if tenant == "" || o.sub.Tenant == tenant {
			s := o.sub
			s.Events = slices.Clone(s.Events)
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b Subscription) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Subscription returns the subscription id, or an error wrapping
// ErrNotFound.
func (d *Dispatcher) Subscription(id string) (*Subscription, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o, ok := d.outboxes[id]
	if !ok {
		return nil, fmt.Errorf("%w: subscription %q", ErrNotFound, id)
	}
	s := o.sub
	s.Events = slices.Clone(s.Events)
	return &s, nil
}

// outboxFor returns the outbox of subscription id, or ErrNotFound.
func (d *Dispatcher) outboxFor(id string) (*outbox, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if o, ok := d.outboxes[id]; ok {
		return o, nil
	}
	return nil, fmt.Errorf("%w: subscription %q", ErrNotFound, id)
}

// signal wakes Run.
func (d *Dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}
