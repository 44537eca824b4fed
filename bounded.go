package certs

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// How a Manager holds only some records in memory
// (Config.MaxLoadedHostnames).
//
// The serving index keeps an entry for every stored name, but the entry of
// a record not held in memory is a stub: it names the record to load and
// holds no certificate. So a name that is not stored costs no Store read,
// and precedence (a name's own record first, then the record covering it)
// is decided as it is for held records. A handshake that finds a stub loads
// the record from the Store (one load per record however many handshakes
// wait for it: loadGroup), publishes it held and serves it.
//
// Each held record has a use tick, shared by the entries of all its names.
// A handshake refreshes it without a lock: one atomic load of the clock and
// of the tick, and a store only when the clock moved since. The clock
// moves at each record made held, so when a record must be held and
// MaxLoadedHostnames are, the records least recently used (as of the last
// load) are turned back into stubs: a sixteenth of the limit at once, so
// that the sort is paid once per many loads.
type bounded struct {
	max   int
	clock atomic.Uint64
	// held maps each held record to its use tick; under Manager.indexMu.
	held map[string]*atomic.Uint64
}

func newBounded(max int) *bounded {
	return &bounded{max: max, held: map[string]*atomic.Uint64{}}
}

// admit decides what publishAs publishes for host: sv itself when the
// record is (or, with hold, becomes) held, else its stubs. It evicts what
// must make room from snap. Callers hold Manager.indexMu.
func (b *bounded) admit(m *Manager, snap *snapshot, host string, sv *serving, hold bool) (*serving, *snapshot) {
	use := b.held[host]
	switch {
	case sv == nil:
		delete(b.held, host)
		return nil, snap
	case use == nil && !hold:
		return sv.stubbed(), snap
	case use == nil:
		if len(b.held) >= b.max {
			snap = b.evict(m, snap)
		}
		use = new(atomic.Uint64)
		b.held[host] = use
	}
	use.Store(b.clock.Add(1))
	sv.attach(use)
	return sv, snap
}

// evict turns the least recently used held records back into stubs,
// leaving room for at least one more.
func (b *bounded) evict(m *Manager, snap *snapshot) *snapshot {
	type aged struct {
		host string
		at   uint64
	}
	all := make([]aged, 0, len(b.held))
	for h, u := range b.held {
		all = append(all, aged{h, u.Load()})
	}
	slices.SortFunc(all, func(x, y aged) int { return cmp.Compare(x.at, y.at) })
	n := min(len(all), len(all)-b.max+max(1, b.max/16))
	for _, a := range all[:n] {
		delete(b.held, a.host)
		stubs := m.claims.servingOf(snap, a.host).stubbed()
		snap = m.claims.apply(snap, a.host, stubs, m.warnConflict(a.host))
	}
	return snap
}

// reset forgets every held record but the damaged ones, which Reload goes
// on serving as they were: it has just published stubs for all others.
// Callers hold Manager.indexMu. It does nothing on a nil bounded.
func (b *bounded) reset(damaged []DamagedRecord) {
	if b == nil {
		return
	}
	kept := map[string]*atomic.Uint64{}
	for _, d := range damaged {
		if use := b.held[d.Hostname]; use != nil {
			kept[d.Hostname] = use
		}
	}
	b.held = kept
}

// touch marks a held record used now. It takes no lock.
func (b *bounded) touch(use *atomic.Uint64) {
	if use == nil {
		return
	}
	if t := b.clock.Load(); use.Load() != t {
		use.Store(t)
	}
}

// stubbed returns sv with every served entry replaced by a stub of the
// same record.
func (sv *serving) stubbed() *serving {
	if sv == nil {
		return nil
	}
	out := &serving{extra: make(map[string]*served, len(sv.extra))}
	if sv.own != nil {
		out.own = &served{host: sv.own.host, stub: true}
	}
	for n, e := range sv.extra {
		if e != nil {
			e = &served{host: e.host, stub: true}
		}
		out.extra[n] = e
	}
	return out
}

// attach gives every entry of sv, built but not yet published, the
// record's use tick.
func (sv *serving) attach(use *atomic.Uint64) {
	if sv.own != nil {
		sv.own.use = use
	}
	for _, e := range sv.extra {
		if e != nil {
			e.use = use
		}
	}
}

// boundedCertificate is GetCertificate for a Manager with
// MaxLoadedHostnames: name has no trailing dot.
func (m *Manager) boundedCertificate(hello *tls.ClientHelloInfo, name string) (*tls.Certificate, error) {
	snap := m.index.Load()
	e, parent := snap.find(name)
	if e == nil && hasUpper(name) {
		e, parent = findFolded(snap, name)
	}
	if e == nil {
		return m.miss(hello)
	}
	return m.serveEntry(hello, name, e, parent)
}

// findFolded is find for a name with upper-case letters; like
// lookupFolded it allocates nothing.
func findFolded(snap *snapshot, name string) (*served, int) {
	var buf [maxHostnameLen]byte
	if len(name) > len(buf) {
		return nil, 0
	}
	return snap.find(lowerInto(buf[:len(name)], name))
}

// serveEntry serves e, the entry find returned for name: from memory when
// its record is held, else after loading the record.
func (m *Manager) serveEntry(hello *tls.ClientHelloInfo, name string, e *served, parent int) (*tls.Certificate, error) {
	if e.stub {
		return m.loadHeld(hello, name, e.host, parent)
	}
	m.bounded.touch(e.use)
	if one := e.only(); one != nil {
		return one, nil
	}
	return e.choose(hello, m)
}

// loadTimeout bounds one load of a record for handshakes.
const loadTimeout = 30 * time.Second

// loadHeld loads the record host from the Store, holds it and serves from
// it the entry that matched name (the wildcard one label up when parent is
// not 0). Concurrent handshakes for the same record share one load.
func (m *Manager) loadHeld(hello *tls.ClientHelloInfo, name, host string, parent int) (*tls.Certificate, error) {
	sv, err := m.loadRecord(helloContext(hello), host)
	switch {
	case errors.Is(err, ErrNotFound): // removed by another process
		m.publish(host, nil)
		m.sched.unschedule(host)
		return nil, unknownHost(hello.ServerName)
	case err != nil:
		return nil, fmt.Errorf("certs: loading %s from the Store for a handshake: %w", host, err)
	}
	key := strings.ToLower(name)
	if parent > 0 {
		key = "*." + key[parent:]
	}
	e := sv.entry(key, host)
	if e == nil || e.stub {
		return nil, unknownHost(hello.ServerName)
	}
	if one := e.only(); one != nil {
		return one, nil
	}
	return e.choose(hello, m)
}

// loadRecord reads host's record for handshakes, holds it in memory and
// returns what it serves. Concurrent handshakes for the same record share
// one read (loadGroup).
func (m *Manager) loadRecord(ctx context.Context, host string) (*serving, error) {
	return m.loads.do(ctx, host, func(ctx context.Context) (*serving, error) {
		_, sv, err := m.refreshAs(ctx, host, true)
		return sv, err
	})
}

// entry returns what sv, host's serving, serves under key, or nil.
func (sv *serving) entry(key, host string) *served {
	switch {
	case sv == nil:
		return nil
	case key == host:
		return sv.own
	}
	return sv.extra[key]
}

// loadGroup runs one load per key at a time and hands its result to every
// caller waiting for it. A caller whose context ends stops waiting; the
// load goes on (bounded by loadTimeout) for the others.
type loadGroup struct {
	mu    sync.Mutex
	calls map[string]*loadCall
}

type loadCall struct {
	done chan struct{}
	sv   *serving
	err  error
}

func (g *loadGroup) do(ctx context.Context, key string, fn func(context.Context) (*serving, error)) (*serving, error) {
	g.mu.Lock()
	c := g.calls[key]
	if c == nil {
		if g.calls == nil {
			g.calls = map[string]*loadCall{}
		}
		c = &loadCall{done: make(chan struct{})}
		g.calls[key] = c
		go func() {
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
			defer cancel()
			c.sv, c.err = fn(lctx)
			g.mu.Lock()
			delete(g.calls, key)
			g.mu.Unlock()
			close(c.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-c.done:
		return c.sv, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
