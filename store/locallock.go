package store

import (
	"context"
	"sync"
)

// localLocks is a set of named in-process locks. The zero value is ready to
// use; it is safe for concurrent use.
type localLocks struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when the holder unlocks
}

// lock blocks until the lock called name is held or ctx is done.
func (l *localLocks) lock(ctx context.Context, name string) (func(), error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l.mu.Lock()
		if l.held == nil {
			l.held = map[string]chan struct{}{}
		}
		released, busy := l.held[name]
		if !busy {
			ch := make(chan struct{})
			l.held[name] = ch
			l.mu.Unlock()
			var once sync.Once
			return func() {
				once.Do(func() {
					l.mu.Lock()
					delete(l.held, name)
					l.mu.Unlock()
					close(ch)
				})
			}, nil
		}
		l.mu.Unlock()
		select {
		case <-released:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
