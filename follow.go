package certs

import (
	"context"
	"errors"
	"time"

	"github.com/certs-dev/certs/store"
)

// How replicas learn of each other's changes. When the Store reports
// changes (store.ChangeFeed: the PostgreSQL store through its change log,
// the filesystem store by polling), the scheduler started by Start follows
// it: each hostname another process wrote is read again and served (and
// its renewal scheduled), each one deleted stops being served, and a reset
// (changes missed) reloads everything. Positions start where New loaded
// the records, so nothing written in between is missed.

// feedStart records the Store's change position before the first load.
func (m *Manager) feedStart(ctx context.Context) {
	cf, ok := m.store.(store.ChangeFeed)
	if !ok {
		return
	}
	if pos, err := cf.LastChange(ctx); err == nil {
		m.feedPos.Store(pos)
		m.feedOK.Store(true)
	}
}

// follow follows the Store's changes until ctx is done, starting again
// after a failure (with a pause) from the last change handled.
func (m *Manager) follow(ctx context.Context) {
	cf, ok := m.store.(store.ChangeFeed)
	if !ok || !m.feedOK.Load() {
		return
	}
	for ctx.Err() == nil {
		err := cf.Follow(ctx, m.feedPos.Load(), func(c store.Change) error {
			m.applyChange(ctx, c)
			m.feedPos.Store(c.Seq)
			return nil
		})
		switch {
		case errors.Is(err, store.ErrNoChangeFeed) || ctx.Err() != nil:
			return
		case err != nil:
			m.log.Warn("certs: following the Store's changes; trying again", "error", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// applyChange serves what the Store now holds for one changed hostname.
func (m *Manager) applyChange(ctx context.Context, c store.Change) {
	if c.Reset {
		var damaged *DamagedRecordsError
		if err := m.Reload(ctx); err != nil && !errors.As(err, &damaged) {
			m.log.Warn("certs: reloading after missed changes", "error", err)
		}
		return
	}
	h, err := m.refresh(ctx, c.Name)
	switch {
	case errors.Is(err, ErrNotFound):
		m.publish(c.Name, nil)
		m.sched.unschedule(c.Name)
	case err != nil:
		m.log.Warn("certs: reading a hostname another process changed", "hostname", c.Name, "error", err)
	default:
		m.sched.schedule(c.Name, m.nextWake(h))
	}
}
