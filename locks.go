package certs

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// How writers of one hostname are serialized.
//
// Every read-modify-write of a record (update, Remove) holds its record
// lock: in this process a keyed mutex, and when the Store is a Locker its
// cross-process lock named after the hostname, so that two replicas never
// overwrite each other's change. An order holds a separate order lock for
// its whole length (seconds, sometimes minutes), so that replicas place one
// order per hostname while imports and other writes go on; the order takes
// the record lock only for each of its brief writes. Locks are always taken
// in the order: order lock, Store record lock, in-process mutex.

// lockRecord takes the record lock of name.
func (m *Manager) lockRecord(ctx context.Context, name string) (func(), error) {
	release := func() {}
	if l, ok := m.store.(Locker); ok {
		unlock, err := l.Lock(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("certs: lock %s for writing: %w", name, err)
		}
		release = unlock
	}
	unlock := m.hostLocks.lock(name)
	return func() { unlock(); release() }, nil
}

// lockIssuance takes the order lock of name when the Store is a Locker.
// Events emitted under the returned context while it is held are delivered
// once unlock has released it, so that a subscriber may order for the same
// hostname without deadlocking.
//
// At most Config.MaxConcurrentOrders orders hold their lock at once in one
// Manager; the others wait here. A Store whose locks each take a
// connection (the PostgreSQL store) then always has connections left for
// the brief record locks of those orders' writes: without the bound, as
// many orders as lock connections would hold them all and wait for ever
// for one more to write.
func (m *Manager) lockIssuance(ctx context.Context, name string) (context.Context, func(), error) {
	l, ok := m.store.(Locker)
	if !ok {
		return ctx, func() {}, nil
	}
	select {
	case m.orderSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, fmt.Errorf("certs: lock %s for issuance: %w", name, ctx.Err())
	}
	unlock, err := l.Lock(ctx, orderLockName(name))
	if err != nil {
		<-m.orderSlots
		return nil, nil, fmt.Errorf("certs: lock %s for issuance: %w", name, err)
	}
	ctx, flush := m.deferEvents(ctx)
	return ctx, func() { unlock(); <-m.orderSlots; flush() }, nil
}

// orderLockName is the Store lock of name's orders: a blob-style key apart
// from record names ('_' never appears in a hostname, so the wildcard's
// stand-in cannot collide).
func orderLockName(name string) string {
	return "orders/" + strings.Replace(name, "*", "_", 1)
}

// keyedMutex serializes read-modify-write cycles per hostname within one
// process. Entries are reference counted and removed when unused.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*refMutex
}

type refMutex struct {
	sync.Mutex
	refs int
}

func (k *keyedMutex) lock(name string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = make(map[string]*refMutex)
	}
	l := k.locks[name]
	if l == nil {
		l = &refMutex{}
		k.locks[name] = l
	}
	l.refs++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, name)
		}
		k.mu.Unlock()
	}
}
