package certs

import (
	"context"
	"sync"
)

// flightGroup makes concurrent calls with one key share one execution, so
// that ten concurrent Obtains of a name place one order. The shared work
// runs on its own context, cancelled only when every caller waiting for it
// has given up, so one impatient caller does not fail the others and
// nothing runs on after all of them are gone.
type flightGroup struct {
	mu      sync.Mutex
	flights map[string]*flight
}

type flight struct {
	done    chan struct{}
	host    *Host
	err     error
	waiters int
	cancel  context.CancelFunc
}

func (g *flightGroup) do(ctx context.Context, key string, fn func(context.Context) (*Host, error)) (*Host, error) {
	g.mu.Lock()
	if g.flights == nil {
		g.flights = make(map[string]*flight)
	}
	f := g.flights[key]
	if f == nil {
		// The work keeps the first caller's values (deadline aside) but is
		// cancelled only through f.cancel.
		base := context.WithoutCancel(ctx)
		var fctx context.Context
		var cancel context.CancelFunc
		if dl, ok := ctx.Deadline(); ok {
			fctx, cancel = context.WithDeadline(base, dl)
		} else {
			fctx, cancel = context.WithCancel(base)
		}
		f = &flight{done: make(chan struct{}), cancel: cancel}
		g.flights[key] = f
		go func() {
			f.host, f.err = fn(fctx)
			cancel()
			g.mu.Lock()
			delete(g.flights, key)
			g.mu.Unlock()
			close(f.done)
		}()
	}
	f.waiters++
	g.mu.Unlock()

	select {
	case <-f.done:
		g.leave(f)
		if f.host != nil {
			return f.host.clone(), f.err
		}
		return nil, f.err
	case <-ctx.Done():
		if g.leave(f) == 0 {
			f.cancel()
			<-f.done // wait for the work to stop: nothing leaks
		}
		return nil, ctx.Err()
	}
}

// leave removes one waiter and returns how many remain.
func (g *flightGroup) leave(f *flight) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	f.waiters--
	return f.waiters
}
