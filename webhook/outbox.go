package webhook

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/store"
)

// An outbox is one subscription's deliveries, numbered from 0 in the order
// of the events. In the Store, under "webhooks/outbox/<name>/": a "meta"
// blob (the next number and the lowest one kept) and one blob per
// delivery ("<seq>"). Entries from low to next are kept: the pending ones,
// and up to Config.History finished ones before them.
type outbox struct {
	name string       // "<id>.<random>"
	sub  Subscription // set at creation, never changed

	// io serializes the outbox's Store writes: numbering, recording an
	// attempt, pruning, removal.
	io sync.Mutex

	// Guarded by Dispatcher.mu:
	next, low uint64
	queues    map[string][]*entry // hostname -> pending entries, by seq
	pending   map[uint64]*entry
	busy      map[string]bool // hostnames whose head is being attempted
	removed   bool
}

// entry is a pending delivery in memory: the Store holds the rest.
type entry struct {
	seq  uint64
	host string
	due  time.Time
}

type storedMeta struct {
	V    int    `json:"v"`
	Next uint64 `json:"next"`
	Low  uint64 `json:"low"`
}

// storedDelivery is the stored form of a delivery (Delivery is the API's).
type storedDelivery struct {
	V              int             `json:"v"`
	Seq            uint64          `json:"seq"`
	Type           certs.EventType `json:"type"`
	Hostname       string          `json:"hostname"`
	Status         Status          `json:"status"`
	CreatedAt      time.Time       `json:"created_at"`
	FirstAttemptAt *time.Time      `json:"first_attempt_at,omitempty"`
	NextAttemptAt  *time.Time      `json:"next_attempt_at,omitempty"`
	FinishedAt     *time.Time      `json:"finished_at,omitempty"`
	AttemptCount   int             `json:"attempt_count"`
	Attempts       []Attempt       `json:"attempts,omitempty"`
	Body           json.RawMessage `json:"body"`
}

// maxAttemptsKept bounds the attempts a delivery keeps (the latest ones).
const maxAttemptsKept = 50

func (o *outbox) metaKey() string { return "webhooks/outbox/" + o.name + "/meta" }

func (o *outbox) key(seq uint64) string {
	return "webhooks/outbox/" + o.name + "/" + strconv.FormatUint(seq, 10)
}

func newOutbox(s Subscription) (*outbox, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("webhook: new outbox: %w", err)
	}
	return emptyOutbox(s, s.ID+"."+hex.EncodeToString(b)), nil
}

func emptyOutbox(s Subscription, name string) *outbox {
	return &outbox{name: name, sub: s, queues: map[string][]*entry{}, pending: map[uint64]*entry{}, busy: map[string]bool{}}
}

// loadOutbox reads a subscription's outbox: its numbering and its pending
// deliveries. A delivery written just before a crash, before the meta blob
// that counts it, is found and kept.
func (d *Dispatcher) loadOutbox(ctx context.Context, ss storedSubscription) (*outbox, error) {
	o := emptyOutbox(ss.subscription(), ss.Outbox)
	meta, err := o.readMeta(ctx, d.st)
	if err != nil {
		return nil, err
	}
	o.next, o.low = meta.Next, meta.Low
	for {
		if _, err := d.st.GetBlob(ctx, o.key(o.next)); errors.Is(err, store.ErrNotFound) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("webhook: read the outbox of %s: %w", ss.ID, err)
		}
		o.next++
	}
	for seq := o.low; seq < o.next; seq++ {
		sd, err := o.read(ctx, d.st, seq)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case errors.Is(err, errDamaged):
			d.log.Warn("webhook: skipping a damaged delivery", "subscription", ss.ID, "seq", seq, "error", err)
			continue
		case err != nil:
			return nil, err
		}
		if sd.Status == StatusPending {
			o.add(&entry{seq: seq, host: sd.Hostname, due: sd.due()})
		}
	}
	return o, nil
}

func (o *outbox) readMeta(ctx context.Context, st store.Store) (storedMeta, error) {
	raw, err := st.GetBlob(ctx, o.metaKey())
	if errors.Is(err, store.ErrNotFound) {
		return storedMeta{V: 1}, nil
	} else if err != nil {
		return storedMeta{}, fmt.Errorf("webhook: read the outbox of %s: %w", o.sub.ID, err)
	}
	var m storedMeta
	if err := json.Unmarshal(raw, &m); err != nil || m.V != 1 || m.Low > m.Next {
		return storedMeta{}, fmt.Errorf("webhook: the outbox of %s (blob %s) is damaged or of a newer version; remove the subscription and add it again", o.sub.ID, o.metaKey())
	}
	return m, nil
}

func (o *outbox) writeMeta(ctx context.Context, st store.Store, next, low uint64) error {
	raw, err := json.Marshal(storedMeta{V: 1, Next: next, Low: low})
	if err == nil {
		err = st.PutBlob(ctx, o.metaKey(), raw)
	}
	if err != nil {
		return fmt.Errorf("webhook: write the outbox of %s: %w", o.sub.ID, err)
	}
	return nil
}

// errDamaged marks a delivery blob that cannot be read back.
var errDamaged = errors.New("webhook: damaged delivery")

func (o *outbox) read(ctx context.Context, st store.Store, seq uint64) (*storedDelivery, error) {
	raw, err := st.GetBlob(ctx, o.key(seq))
	if err != nil {
		return nil, fmt.Errorf("webhook: read delivery %d of %s: %w", seq, o.sub.ID, err)
	}
	var sd storedDelivery
	if err := json.Unmarshal(raw, &sd); err != nil || sd.V != 1 || sd.Seq != seq {
		return nil, fmt.Errorf("%w: %s is unreadable or of a newer version", errDamaged, o.key(seq))
	}
	return &sd, nil
}

func (o *outbox) write(ctx context.Context, st store.Store, sd *storedDelivery) error {
	raw, err := json.Marshal(sd)
	if err == nil {
		err = st.PutBlob(ctx, o.key(sd.Seq), raw)
	}
	if err != nil {
		return fmt.Errorf("webhook: write delivery %d of %s: %w", sd.Seq, o.sub.ID, err)
	}
	return nil
}

// add queues e behind its hostname's entries of lower numbers. Under
// Dispatcher.mu.
func (o *outbox) add(e *entry) {
	q := o.queues[e.host]
	i, _ := slices.BinarySearchFunc(q, e.seq, func(x *entry, seq uint64) int { return cmp.Compare(x.seq, seq) })
	o.queues[e.host] = slices.Insert(q, i, e)
	o.pending[e.seq] = e
}

// done drops the finished head of host's queue. Under Dispatcher.mu.
func (o *outbox) done(e *entry) {
	q := slices.DeleteFunc(o.queues[e.host], func(x *entry) bool { return x == e })
	if len(q) == 0 {
		delete(o.queues, e.host)
	} else {
		o.queues[e.host] = q
	}
	delete(o.pending, e.seq)
}

// due is when a pending delivery is next attempted.
func (sd *storedDelivery) due() time.Time {
	if sd.NextAttemptAt != nil {
		return *sd.NextAttemptAt
	}
	return sd.CreatedAt
}

// enqueue writes ev to the outbox as its next delivery: the delivery, then
// the meta blob that counts it.
func (d *Dispatcher) enqueue(ctx context.Context, o *outbox, ev certs.Event, tenant string) error {
	o.io.Lock()
	defer o.io.Unlock()
	d.mu.Lock()
	seq, low, id, removed := o.next, o.low, o.sub.ID, o.removed
	d.mu.Unlock()
	if removed {
		return nil
	}
	body, err := newPayload(id+"."+strconv.FormatUint(seq, 10), tenant, ev).encode()
	if err != nil {
		return err
	}
	now := d.now()
	sd := &storedDelivery{V: 1, Seq: seq, Type: ev.Type, Hostname: ev.Hostname, Status: StatusPending, CreatedAt: now, Body: body}
	if err := o.write(ctx, d.st, sd); err != nil {
		return err
	}
	// Counted from here on even if the meta write fails: the next
	// Dispatcher finds the delivery past the stored count.
	metaErr := o.writeMeta(ctx, d.st, seq+1, low)
	d.mu.Lock()
	o.next = seq + 1
	o.add(&entry{seq: seq, host: ev.Hostname, due: now})
	d.mu.Unlock()
	d.signal()
	return metaErr
}

// prune deletes the oldest finished deliveries beyond Config.History, up
// to the oldest pending one.
func (d *Dispatcher) prune(ctx context.Context, o *outbox) error {
	o.io.Lock()
	defer o.io.Unlock()
	d.mu.Lock()
	low, next := o.low, o.next
	finished := int(next-low) - len(o.pending)
	var drop []uint64
	for ; finished > d.history && low < next && o.pending[low] == nil && !o.removed; low, finished = low+1, finished-1 {
		drop = append(drop, low)
	}
	d.mu.Unlock()
	if len(drop) == 0 {
		return nil
	}
	for _, seq := range drop {
		if err := d.st.DeleteBlob(ctx, o.key(seq)); err != nil {
			low = seq
			break
		}
	}
	if err := o.writeMeta(ctx, d.st, next, low); err != nil {
		return err
	}
	d.mu.Lock()
	o.low = low
	d.mu.Unlock()
	return nil
}

// deleteAll deletes a removed subscription's outbox.
func (o *outbox) deleteAll(ctx context.Context, d *Dispatcher) error {
	o.io.Lock()
	defer o.io.Unlock()
	d.mu.Lock()
	o.removed = true
	low, next := o.low, o.next
	d.mu.Unlock()
	for seq := low; seq < next; seq++ {
		if err := d.st.DeleteBlob(ctx, o.key(seq)); err != nil {
			return fmt.Errorf("webhook: delete the outbox of %s: %w", o.sub.ID, err)
		}
	}
	if err := d.st.DeleteBlob(ctx, o.metaKey()); err != nil {
		return fmt.Errorf("webhook: delete the outbox of %s: %w", o.sub.ID, err)
	}
	return nil
}
