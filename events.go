package certs

import (
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
)

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
}

// Subscribe registers fn to receive every event and returns a function that
// unregisters it. fn is called synchronously, in order, after the change it
// reports is stored and served; it must not block for long (hand slow work,
// such as webhooks, to a goroutine) and must not call Subscribe.
func (m *Manager) Subscribe(fn func(Event)) (unsubscribe func()) {
	return m.events.subscribe(fn)
}

type eventBus struct {
	mu     sync.Mutex
	nextID int
	subs   []subscriber // in subscription order
	// deliver serializes deliveries so that subscribers see events in order.
	deliver sync.Mutex
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

func (b *eventBus) emit(ev Event) {
	b.mu.Lock()
	subs := b.subs // never modified in place: a snapshot
	b.mu.Unlock()
	b.deliver.Lock()
	defer b.deliver.Unlock()
	for _, s := range subs {
		s.fn(ev)
	}
}

func (m *Manager) emit(typ EventType, host string, src Source, c *Certificate, err error) {
	ev := Event{Type: typ, Hostname: host, Source: src, Time: m.now(), Certificate: c}
	if err != nil {
		ev.Err = err.Error()
	}
	m.events.emit(ev)
}
