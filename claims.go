package certs

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// How further names are served.
//
// A record serves its own hostname and, through its certificates, further
// names: every name of an ACME certificate's order, and the names attached
// to a custom certificate with ImportOptions. The serving index holds one
// entry per name; for a name that a record covers as a further name, the
// entry is chosen by precedence:
//
//  1. the name's own record, when it serves anything;
//  2. else the record that covers the name as a further name.
//
// Exact names come before wildcards (lookup probes the exact name first),
// and within one entry the custom certificate comes before the ACME one.
// So removing a name's own record falls back to the record that covers
// it, and removing or replacing the covering record stops serving the
// names it covered.
//
// claimIndex keeps, for writers only (under Manager.indexMu), who covers
// which name. Only names covered as further names are in it, so hostnames
// without further names cost nothing. Handshakes never read it.
type claimIndex struct {
	byName map[string]*claim   // covered name -> its claim
	byHost map[string][]string // record hostname -> names it covers
}

// claim is one further name held by a record.
type claim struct {
	owner string
	e     *served // what owner serves for the name (nil: held, nothing served)
	own   *served // what the name's own record serves, if anything
}

// pick is what the index serves for a claimed name.
func (c *claim) pick() *served {
	if c.own != nil {
		return c.own
	}
	return c.e
}

// serving is everything one record serves: its own hostname and its
// further names (a nil entry holds a name without serving it).
type serving struct {
	own   *served
	extra map[string]*served
}

// owner returns the hostname holding name as a further name, if any.
func (x *claimIndex) owner(name string) (string, bool) {
	if c := x.byName[name]; c != nil {
		return c.owner, true
	}
	return "", false
}

// apply publishes what host serves (nil: nothing) into snap and returns
// the snapshot to publish. Callers hold Manager.indexMu.
func (x *claimIndex) apply(snap *snapshot, host string, sv *serving, warn func(name, owner string)) *snapshot {
	if x.byName == nil {
		x.byName, x.byHost = map[string]*claim{}, map[string][]string{}
	}
	var own *served
	var extra map[string]*served
	if sv != nil {
		own, extra = sv.own, sv.extra
	}
	if c := x.byName[host]; c != nil {
		c.own = own
		snap = snap.set(host, c.pick())
	} else {
		snap = snap.set(host, own)
	}
	for _, n := range x.byHost[host] {
		if _, keep := extra[n]; !keep {
			snap = x.uncover(snap, host, n)
		}
	}
	held := make([]string, 0, len(extra))
	for n, e := range extra {
		c := x.byName[n]
		switch {
		case c == nil:
			c = &claim{owner: host, own: snap.get(n)}
			x.byName[n] = c
		case c.owner != host && c.owner < host:
			warn(n, c.owner)
			continue
		case c.owner != host: // two records claim n: the first by name keeps it
			warn(n, c.owner)
			x.byHost[c.owner] = slices.DeleteFunc(x.byHost[c.owner], func(s string) bool { return s == n })
			c.owner = host
		}
		c.e = e
		snap = snap.set(n, c.pick())
		held = append(held, n)
	}
	if len(held) == 0 {
		delete(x.byHost, host)
	} else {
		x.byHost[host] = held
	}
	return snap
}

// uncover drops host's claim on name and serves the name's own record.
func (x *claimIndex) uncover(snap *snapshot, host, name string) *snapshot {
	c := x.byName[name]
	if c == nil || c.owner != host {
		return snap
	}
	delete(x.byName, name)
	return snap.set(name, c.own)
}

// claimNames checks that hostname may serve names (its own first): no
// further name may be held by another hostname, as its own record or as a
// further name of another record. It returns a *NameConflictError for the
// first one that is.
func (m *Manager) claimNames(ctx context.Context, hostname string, names []string) error {
	for _, n := range names {
		if n == hostname {
			continue
		}
		m.indexMu.Lock()
		owner, held := m.claims.owner(n)
		m.indexMu.Unlock()
		switch {
		case held && owner == hostname:
			continue // already ours: re-importing or re-ordering keeps it
		case held:
			return &NameConflictError{Name: n, HeldBy: owner}
		}
		if _, err := m.store.Get(ctx, n); err == nil {
			return &NameConflictError{Name: n, HeldBy: n}
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("certs: check who holds %s: %w", n, err)
		}
	}
	return nil
}

// publish replaces what is served for hostname and its further names (nil
// stops serving them all).
func (m *Manager) publish(hostname string, sv *serving) { m.publishAs(hostname, sv, false) }

// publishAs is publish for a Manager that may hold only some records in
// memory (Config.MaxLoadedHostnames): with hold, the record is held (and
// the least recently used ones are evicted to make room); without, it
// stays held if it was, else only its names are kept, as stubs. It returns
// what was published.
func (m *Manager) publishAs(hostname string, sv *serving, hold bool) *serving {
	m.indexMu.Lock()
	defer m.indexMu.Unlock()
	snap := m.index.Load()
	if m.bounded != nil {
		sv, snap = m.bounded.admit(m, snap, hostname, sv, hold)
	}
	m.index.Store(m.claims.apply(snap, hostname, sv, m.warnConflict(hostname)))
	if m.dirty != nil {
		m.dirty[hostname] = struct{}{} // a Reload runs: it reads it again
	}
	return sv
}

// warnConflict logs a further name that two records list (two replicas
// raced, or the Store was edited by hand): the record first in name order
// keeps serving it, whatever the order records are loaded in.
func (m *Manager) warnConflict(hostname string) func(name, owner string) {
	return func(name, owner string) {
		m.log.Warn("certs: two hostnames list the same further name; the first in name order serves it",
			"hostname", hostname, "name", name, "other", owner, "served_by", min(hostname, owner))
	}
}
