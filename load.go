package certs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/certs-dev/certs/store"
)

// DamagedRecord is a stored hostname record the Manager cannot read: a
// damaged file (see store.ErrDamaged), a record written by a newer version
// of this library (ErrRecordVersion), or one that does not decode. It is
// skipped and reported; every other hostname goes on being served.
type DamagedRecord struct {
	Hostname string `json:"hostname"`
	// Err says what is wrong and what to do; it never quotes secrets.
	Err error `json:"-"`
}

// MarshalJSON writes the hostname and the error's message.
func (d DamagedRecord) MarshalJSON() ([]byte, error) {
	msg := ""
	if d.Err != nil {
		msg = d.Err.Error()
	}
	return json.Marshal(struct {
		Hostname string `json:"hostname"`
		Error    string `json:"error"`
	}{d.Hostname, msg})
}

// DamagedRecordsError is returned by Reload when it skipped damaged
// records: the index was rebuilt from every other record, and a damaged
// hostname goes on being served as it was before. It matches ErrDamaged.
type DamagedRecordsError struct {
	Records []DamagedRecord
}

// Error names the damaged hostnames (at most ten) and says what to do.
func (e *DamagedRecordsError) Error() string {
	names := make([]string, 0, min(len(e.Records), 10))
	for _, d := range e.Records[:min(len(e.Records), 10)] {
		names = append(names, d.Hostname)
	}
	more := ""
	if len(e.Records) > 10 {
		more = fmt.Sprintf(" and %d more", len(e.Records)-10)
	}
	return fmt.Sprintf("certs: %d stored records are damaged and were skipped (%s%s); every other hostname is served. "+
		"Restore them from a backup or remove them (Manager.Remove); Manager.Damaged has each one's error",
		len(e.Records), strings.Join(names, ", "), more)
}

// Is makes errors.Is(err, ErrDamaged) true.
func (e *DamagedRecordsError) Is(target error) bool { return target == ErrDamaged }

// damagedSet remembers the records the last load skipped.
type damagedSet struct {
	mu      sync.Mutex
	records []DamagedRecord
}

// Damaged returns the stored records the last New or Reload could not read
// and skipped (each with its error); nil when there were none.
func (m *Manager) Damaged() []DamagedRecord {
	m.damaged.mu.Lock()
	defer m.damaged.mu.Unlock()
	return append([]DamagedRecord(nil), m.damaged.records...)
}

// Reload rebuilds the serving index from the Store, stored OCSP responses
// included. New calls it; call it again when another process changed the
// shared Store. A record that cannot be read (damaged, written by a newer
// version) is skipped, logged, emitted as a "damaged" event and listed by
// Damaged; what was served for it before goes on being served, and Reload
// returns a *DamagedRecordsError after rebuilding everything else. A Store
// that cannot be read at all (or decrypted with the configured keys:
// store.ErrDecrypt) is an error and changes nothing.
func (m *Manager) Reload(ctx context.Context) error {
	damaged, err := m.reload(ctx)
	if err != nil {
		return err
	}
	for _, d := range damaged { // no lock held: a subscriber may call back
		m.emit(ctx, EventDamaged, d.Hostname, "", nil, d.Err)
	}
	if len(damaged) > 0 {
		return &DamagedRecordsError{Records: damaged}
	}
	return nil
}

// reload rebuilds the index (see Reload) and returns the damaged records.
func (m *Manager) reload(ctx context.Context) ([]DamagedRecord, error) {
	m.reloadMu.Lock()
	defer m.reloadMu.Unlock()
	// The index stays writable while the Store is read: what is published
	// meanwhile (an import, a handshake's load, a replica's change) is
	// noted and read again once the new index is in place.
	m.indexMu.Lock()
	m.dirty = map[string]struct{}{}
	m.indexMu.Unlock()
	var damaged []DamagedRecord
	snap, claims := newSnapshot(), claimIndex{}
	err := m.eachHost(ctx, func(h *Host, keys keyring) any {
		if m.bounded != nil { // names only: handshakes load what they need
			sv, _ := m.servedFor(h, keys, serveStub)
			return sv
		}
		m.loadStaples(ctx, h)
		sv, _ := m.servedFor(h, keys, serveStored)
		return sv
	}, func(h *Host, v any) {
		if sv := v.(*serving); sv != nil {
			snap = claims.apply(snap, h.Hostname, sv, m.warnConflict(h.Hostname))
		}
	}, func(d DamagedRecord) {
		damaged = append(damaged, d)
		m.indexMu.Lock()
		sv := m.claims.servingOf(m.index.Load(), d.Hostname)
		m.indexMu.Unlock()
		if sv != nil {
			snap = claims.apply(snap, d.Hostname, sv, m.warnConflict(d.Hostname))
		}
	})
	m.indexMu.Lock()
	dirty := m.dirty
	m.dirty = nil
	if err == nil {
		m.index.Store(snap.compact())
		m.claims = claims
		m.bounded.reset(damaged) // the others are stubs again
	}
	m.indexMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("certs: load records: %w", err)
	}
	for name := range dirty { // published during the load: read again
		if err := m.ReloadHostname(ctx, name); err != nil {
			m.log.Warn("certs: reading again a hostname changed during the load", "hostname", name, "error", err)
		}
	}
	m.damaged.mu.Lock()
	m.damaged.records = damaged
	m.damaged.mu.Unlock()
	return damaged, nil
}

// eachHost reads every stored hostname in one pass (store.ScanAll: in no
// particular order). prepare, when not nil, runs for each record that
// decodes on a few goroutines at once (it parses keys: the slow part of a
// start-up); apply then runs for each, with what prepare returned, and
// damaged for each record that cannot be read, both on the calling
// goroutine, one at a time. Damaged records are logged.
func (m *Manager) eachHost(ctx context.Context, prepare func(*Host, keyring) any,
	apply func(*Host, any), damaged func(DamagedRecord)) error {
	type item struct {
		h   *Host
		v   any
		bad *DamagedRecord
	}
	recs := make(chan *store.Record, 256)
	items := make(chan item, 256)
	var workers sync.WaitGroup
	for range max(2, runtime.GOMAXPROCS(0)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for rec := range recs {
				h, keys, err := decodeRecord(rec)
				if err != nil {
					items <- item{bad: &DamagedRecord{Hostname: rec.Name, Err: err}}
					continue
				}
				var v any
				if prepare != nil {
					v = prepare(h, keys)
				}
				items <- item{h: h, v: v}
			}
		}()
	}
	scanErr := make(chan error, 1)
	go func() {
		err := store.ScanAll(ctx, m.store, func(rec *store.Record, d *store.DamagedError) error {
			if d != nil {
				items <- item{bad: &DamagedRecord{Hostname: d.Name, Err: d}}
				return nil
			}
			select {
			case recs <- rec:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		close(recs)
		workers.Wait()
		close(items)
		scanErr <- err
	}()
	for it := range items {
		if it.bad != nil {
			m.log.Warn("certs: skipping damaged record", "hostname", it.bad.Hostname, "error", it.bad.Err)
			if damaged != nil {
				damaged(*it.bad)
			}
			continue
		}
		apply(it.h, it.v)
	}
	return <-scanErr
}

// servingOf returns what snap serves from host's record: its own name and
// the further names it holds, or nil.
func (x *claimIndex) servingOf(snap *snapshot, host string) *serving {
	own := snap.get(host)
	if c := x.byName[host]; c != nil {
		own = c.own
	}
	if own != nil && own.host != host {
		own = nil
	}
	extra := map[string]*served{}
	for _, n := range x.byHost[host] {
		extra[n] = x.byName[n].e
	}
	if own == nil && len(extra) == 0 {
		return nil
	}
	return &serving{own: own, extra: extra}
}

// ReloadHostname serves what the Store holds for one hostname: call it
// when another process sharing the Store changed it (a platform's change
// feed). A hostname no longer stored stops being served; one whose record
// cannot be read goes on being served as it was, and the error (matching
// ErrDamaged for a damaged record) is returned.
func (m *Manager) ReloadHostname(ctx context.Context, hostname string) error {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return err
	}
	if _, err := m.refresh(ctx, name); errors.Is(err, ErrNotFound) {
		m.publish(name, nil)
		m.sched.unschedule(name)
	} else if err != nil {
		return fmt.Errorf("certs: reload %s: %w", name, err)
	}
	return nil
}
