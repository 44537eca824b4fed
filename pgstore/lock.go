package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/certs-dev/certs/store"
)

// Lock acquires the lock called name (a record name or a blob key) across
// every process using this database and schema, blocking until it is free
// or ctx is done (then it returns an error wrapping ctx.Err()). The
// returned unlock function releases it and may be called more than once.
//
// The lock is a session-level advisory lock on a connection of its own,
// held until unlock: if the process dies, even by SIGKILL, or its
// connection breaks, PostgreSQL frees the lock at once. Waiters are served
// in order. Names are hashed to the lock's 64-bit key (with the schema);
// two names colliding would only make them wait for each other. Each lock
// held or awaited uses one of Config.MaxLockConns connections.
func (s *Store) Lock(ctx context.Context, name string) (unlock func(), err error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	if store.CheckName(name) != nil && store.CheckKey(name) != nil {
		return nil, fmt.Errorf("%w: lock name %q: use a record name or a blob key", store.ErrInvalidName, truncate(name))
	}
	ctx, cancel := s.withDone(ctx)
	defer cancel()
	conn, err := s.locks.Acquire(ctx)
	if err != nil {
		return nil, s.lockError(ctx, name, err)
	}
	key := lockKey(s.schema, name)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		// The server may have granted the lock as ctx ended: closing the
		// session frees it either way.
		_ = conn.Conn().Close(context.Background())
		conn.Release()
		return nil, s.lockError(ctx, name, err)
	}
	h := &heldLock{s: s, conn: conn, key: key, name: name}
	s.held.Store(h, nil)
	return func() { h.release(false) }, nil
}

// lockError wraps the error of a failed Lock.
func (s *Store) lockError(ctx context.Context, name string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("pgstore: lock %s: %w", name, doneErr(ctx))
	}
	return dbError(ctx, "lock "+name, err)
}

// lockKey is the advisory lock key of name in schema.
func lockKey(schema, name string) int64 {
	sum := sha256.Sum256([]byte("pgstore\x00" + schema + "\x00" + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// heldLock is a lock held on its own connection.
type heldLock struct {
	s    *Store
	mu   sync.Mutex
	conn *pgxpool.Conn // nil once released
	key  int64
	name string
}

// release unlocks and returns the connection to the pool; after the first
// call it does nothing. When the session no longer holds the lock (its
// connection broke, or the server ended it) it logs that the lock was
// lost. With closing (Close), it just closes the session, which frees the
// lock.
func (h *heldLock) release(closing bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn == nil {
		return
	}
	conn := h.conn
	h.conn = nil
	h.s.held.Delete(h)
	if closing {
		_ = conn.Conn().Close(context.Background())
		conn.Release()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var released bool
	err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", h.key).Scan(&released)
	if err != nil || !released {
		// Never hand a session in an unknown state back to the pool.
		_ = conn.Conn().Close(context.Background())
		h.s.log.Warn("pgstore: a lock was lost while held: its connection to PostgreSQL broke or was ended, and another process may have taken it; writes made under it were protected only by versioned writes (PutIf)",
			"lock", h.name, "schema", h.s.schema, "error", err)
	}
	conn.Release()
}
