package certs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// EventType names what happened to a hostname.
type EventType string

// The events a Manager emits.
const (
	EventImported      EventType = "imported"
	EventRemoved       EventType = "removed"
	EventExpiring      EventType = "expiring"
	EventIssued        EventType = "issued"
	EventRenewed       EventType = "renewed"
	EventRenewalFailed EventType = "renewal_failed"
	EventObtainFailed  EventType = "obtain_failed"
	EventRevoked       EventType = "revoked"
	EventOwnership     EventType = "ownership_verified"
	// EventDamaged reports a stored record Reload could not read (see
	// Manager.Damaged); Err says what is wrong.
	EventDamaged EventType = "damaged"
)

// EventTypes returns every event type a Manager emits, for subscribers
// that let their users choose (webhooks).
func EventTypes() []EventType {
	return []EventType{EventImported, EventRemoved, EventExpiring, EventIssued, EventRenewed,
		EventRenewalFailed, EventObtainFailed, EventRevoked, EventOwnership, EventDamaged}
}

// Event is delivered to subscribers after a change is stored and served.
// It is the hook for deploy scripts and webhooks.
type Event struct {
	Type     EventType `json:"type"`
	Hostname string    `json:"hostname"`
	// Source is the certificate concerned; empty for a whole hostname.
	Source Source    `json:"source,omitempty"`
	Time   time.Time `json:"time"`
	// Certificate is the certificate concerned, when there is one.
	Certificate *Certificate `json:"certificate,omitempty"`
	// Err describes a failure (renewal_failed, obtain_failed).
	Err string `json:"error,omitempty"`
	// RetryAfter is set when the failure was the CA's rate limit: when
	// the CA allows another attempt.
	RetryAfter *time.Time `json:"retry_after,omitempty"`
}

// Subscribe registers fn to receive every event and returns a function that
// unregisters it. Events are delivered one at a time, in the order they
// happened, after the change each reports is stored and served, and with no
// lock of the Manager held: fn may call the Manager (even change the
// hostname the event is about); the events that causes are delivered after
// fn returns. fn must not block for long (hand slow work, such as webhooks,
// to a goroutine): one delivery runs at a time, on the goroutine of the
// call that emitted first.
func (m *Manager) Subscribe(fn func(Event)) (unsubscribe func()) {
	return m.events.subscribe(fn)
}

type eventBus struct {
	mu     sync.Mutex
	nextID int
	subs   []subscriber // in subscription order
	// queue holds events not yet delivered; delivering is set while one
	// goroutine delivers them, in order, with no lock held during the
	// callbacks (so that a subscriber may call the Manager, which may emit).
	queue      []Event
	delivering bool
}

type subscriber struct {
	id int
	fn func(Event)
}

func (b *eventBus) subscribe(fn func(Event)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.nextID
	b.nextID++
	b.subs = append(b.subs, subscriber{id, fn})
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.subs = slices.DeleteFunc(slices.Clone(b.subs), func(s subscriber) bool { return s.id == id })
		})
	}
}

// emit delivers ev to every subscriber, after the events emitted before it.
// When another delivery is under way (in another goroutine, or further up
// this one's stack because a subscriber called the Manager) ev is queued
// and delivered by it; otherwise this goroutine delivers until the queue is
// empty.
func (b *eventBus) emit(ev Event) {
	b.mu.Lock()
	b.queue = append(b.queue, ev)
	b.mu.Unlock()
	b.deliver()
}

// deliver delivers the queued events unless a delivery is under way.
func (b *eventBus) deliver() {
	b.mu.Lock()
	if b.delivering {
		b.mu.Unlock()
		return
	}
	b.delivering = true
	defer func() { // also when a subscriber panics
		b.mu.Lock()
		b.delivering = false
		b.mu.Unlock()
	}()
	for len(b.queue) > 0 {
		next := b.queue[0]
		b.queue = b.queue[1:]
		subs := b.subs // never modified in place: a snapshot
		b.mu.Unlock()
		for _, s := range subs {
			s.fn(next)
		}
		b.mu.Lock()
	}
	b.mu.Unlock()
}

func (m *Manager) emit(ctx context.Context, typ EventType, host string, src Source, c *Certificate, err error) {
	ev := Event{Type: typ, Hostname: host, Source: src, Time: m.now(), Certificate: c}
	if err != nil {
		ev.Err = err.Error()
		var rl *RateLimitError
		if errors.As(err, &rl) {
			at := rl.RetryAfter
			ev.RetryAfter = &at
		}
	}
	if d, ok := ctx.Value(deferredEventsKey{}).(*deferredEvents); ok {
		d.add(ev)
		return
	}
	m.events.emit(ev)
}

// deferredEvents collects the events emitted under a lock that must not be
// held while subscribers run (see lockIssuance); they are emitted, in
// order, once it is released.
type deferredEvents struct {
	mu     sync.Mutex
	events []Event
}

type deferredEventsKey struct{}

// deferEvents returns a context whose events are collected, and the
// function that emits them.
func (m *Manager) deferEvents(ctx context.Context) (context.Context, func()) {
	d := &deferredEvents{}
	return context.WithValue(ctx, deferredEventsKey{}, d), func() {
		d.mu.Lock()
		evs := d.events
		d.events = nil
		d.mu.Unlock()
		for _, ev := range evs {
			m.events.emit(ev)
		}
	}
}

func (d *deferredEvents) add(ev Event) {
	d.mu.Lock()
	d.events = append(d.events, ev)
	d.mu.Unlock()
}
