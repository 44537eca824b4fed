package certs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// onDemand is the state of on-demand TLS: remembered decisions and
// failures, orders in flight and the rate limits. Its maps are bounded.
type onDemand struct {
	cfg OnDemandConfig
	now func() time.Time

	mu        sync.Mutex
	decisions map[string]decision
	failures  map[string]failure
	orders    map[string]chan struct{} // closed when the name's order ends
	started   []time.Time              // order starts within the last minute
	inFlight  int
}

type decision struct {
	err   error
	until time.Time
}

type failure struct {
	n     int
	until time.Time
	err   error
}

// maxRemembered bounds each of the maps of remembered names.
const maxRemembered = 100_000

func newOnDemand(cfg OnDemandConfig, now func() time.Time) *onDemand {
	return &onDemand{cfg: cfg, now: now, decisions: map[string]decision{},
		failures: map[string]failure{}, orders: map[string]chan struct{}{}}
}

// onDemandCertificate handles a handshake for a name the index does not
// serve: from the Store when another replica stored it, else through an
// order when the policy allows.
func (m *Manager) onDemandCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name, err := helloName(hello)
	if err != nil {
		return nil, err
	}
	od := m.onDemand
	if err := od.backedOff(name); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(helloContext(hello), od.cfg.Wait)
	defer cancel()
	if c, err := m.loadStored(ctx, hello, name); c != nil || err != nil {
		return c, err
	}
	if err := od.decide(ctx, name); err != nil {
		return nil, err
	}
	done, err := od.order(name, func(ctx context.Context) error {
		_, err := m.Obtain(ctx, name, od.cfg.Options)
		return err
	})
	if err != nil {
		return nil, err
	}
	select {
	case <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %s (the order goes on; retry shortly)", ErrOnDemandPending, name)
	}
	if c, err := m.servedNow(hello, name); c != nil {
		return c, nil
	} else if err != nil {
		return nil, err
	}
	return nil, od.backedOff(name)
}

// loadStored serves name from the Store when it (or the wildcard one label
// up) is stored but not yet in the index: another replica stored it, or the
// background load has not reached it. Handshakes waiting for the same
// record share one read. It returns nil, nil when neither is stored.
func (m *Manager) loadStored(ctx context.Context, hello *tls.ClientHelloInfo, name string) (*tls.Certificate, error) {
	candidates := []string{name}
	if i := strings.IndexByte(name, '.'); i > 0 && strings.Contains(name[i+1:], ".") {
		candidates = append(candidates, "*"+name[i:])
	}
	for _, n := range candidates {
		if _, err := m.loadRecord(ctx, n); err == nil {
			if c, _ := m.servedNow(hello, name); c != nil {
				return c, nil
			}
		} else if !errors.Is(err, ErrNotFound) {
			m.log.Warn("certs: on-demand: reading the Store", "hostname", n, "error", err)
		}
	}
	return nil, nil
}

// servedNow looks name up in the index again.
func (m *Manager) servedNow(hello *tls.ClientHelloInfo, name string) (*tls.Certificate, error) {
	if m.bounded != nil {
		if e, parent := m.index.Load().find(name); e != nil {
			return m.serveEntry(hello, name, e, parent)
		}
		return nil, nil
	}
	one, e := m.index.Load().lookup(name)
	switch {
	case one != nil:
		return one, nil
	case e != nil:
		return e.choose(hello, m)
	}
	return nil, nil
}

// backedOff returns the remembered failure of name while its backoff runs.
func (od *onDemand) backedOff(name string) error {
	od.mu.Lock()
	defer od.mu.Unlock()
	if f, ok := od.failures[name]; ok && od.now().Before(f.until) {
		return fmt.Errorf("%w (remembered until %s)", f.err, f.until.UTC().Format(time.RFC3339))
	}
	return nil
}

// decide asks the policy, or answers from a decision made within
// DecisionTTL. A denial is also remembered with a backoff.
func (od *onDemand) decide(ctx context.Context, name string) error {
	od.mu.Lock()
	d, ok := od.decisions[name]
	od.mu.Unlock()
	if !ok || !od.now().Before(d.until) {
		err := od.cfg.Decide(ctx, name)
		if err != nil && !errors.Is(err, ErrOnDemandDenied) {
			err = fmt.Errorf("%w: %w", ErrOnDemandDenied, err)
		}
		d = decision{err: err, until: od.now().Add(od.cfg.DecisionTTL)}
		od.mu.Lock()
		bound(od.decisions)
		od.decisions[name] = d
		od.mu.Unlock()
	}
	if d.err != nil {
		od.fail(name, d.err)
	}
	return d.err
}

// fail remembers a denial or a failed order of name with a backoff.
func (od *onDemand) fail(name string, err error) {
	od.mu.Lock()
	defer od.mu.Unlock()
	f := od.failures[name]
	f.n++
	f.until, f.err = od.now().Add(backoff(f.n)), err
	bound(od.failures)
	od.failures[name] = f
}

// order starts run for name unless an order for it is in flight, within
// the limits, and returns the channel closed when it ends.
func (od *onDemand) order(name string, run func(context.Context) error) (<-chan struct{}, error) {
	od.mu.Lock()
	defer od.mu.Unlock()
	if done, ok := od.orders[name]; ok {
		return done, nil
	}
	now := od.now()
	od.started = slices.DeleteFunc(od.started, func(t time.Time) bool { return now.Sub(t) >= time.Minute })
	if od.inFlight >= od.cfg.MaxConcurrent || len(od.started) >= od.cfg.MaxPerMinute {
		return nil, fmt.Errorf("%w: %d orders in flight, %d started in the last minute", ErrOnDemandBusy, od.inFlight, len(od.started))
	}
	done := make(chan struct{})
	od.orders[name] = done
	od.inFlight++
	od.started = append(od.started, now)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), onDemandOrderTimeout)
		defer cancel()
		err := run(ctx)
		if err != nil {
			od.fail(name, err)
		}
		od.mu.Lock()
		delete(od.orders, name)
		od.inFlight--
		od.mu.Unlock()
		close(done)
	}()
	return done, nil
}

// onDemandOrderTimeout bounds an on-demand order that no handshake waits
// for any more.
const onDemandOrderTimeout = 10 * time.Minute

// bound drops about a tenth of m's entries when it is full.
func bound[V any](m map[string]V) {
	if len(m) < maxRemembered {
		return
	}
	drop := maxRemembered / 10
	for k := range m {
		delete(m, k)
		if drop--; drop == 0 {
			return
		}
	}
}
