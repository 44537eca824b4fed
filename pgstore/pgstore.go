// Package pgstore is a store.Store on PostgreSQL, for certs deployments
// that outgrow one machine: every replica of a fleet points at one
// database and shares records, ACME accounts, challenge tokens and locks.
//
// It is a plug-in above the root package: it implements store.Store and
// store.Locker and passes the store/storetest conformance suite, and the
// root knows nothing of it. Pass it as certs.Config.Store; with
// certs.Config.EncryptionKey set, the Manager seals secrets before they
// reach the database (the store keeps Record.Secrets as given).
//
// # Schema
//
// New creates its tables in Config.Schema (default "certs") and migrates
// them: versioned migrations recorded in {schema}.migrations, applied under
// a PostgreSQL advisory lock, so that any number of processes may start at
// once. The connecting user needs to own the schema, or to be allowed to
// create it. PostgreSQL 13 or later.
//
// # Listing
//
// List pages with a keyset cursor (the last entry's sort key and name), so
// that a deep page costs what the first does: each sort order (name,
// expiry, creation; ascending or descending) has a B-tree index whose
// columns are the cursor. Filter is a substring match on names, served by a
// pg_trgm GIN index; where the extension is unavailable, New logs it and
// Filter scans the names instead. Labels are served by record_labels, a
// table of each record's labels with its sort keys that triggers keep in
// step with the records, with a B-tree index per sort order led by the
// label: a page of a label's records is a range scan of that index.
//
// Total, when the listing is unfiltered, is read from a counter row that
// triggers keep exact in the transaction of every insert and delete: it
// costs nothing, whatever the size. When filtered (Filter or Labels), it is
// an exact count, taken on the first page and cached per selection until
// the next write to a record, so that the following pages do not count
// again; that first count costs what reading the selected index entries or
// rows costs (a label's records are counted from its index entries, 10,000
// of them in about a millisecond; a Filter matching 150,000 names in
// 1,000,000, about 200 ms). The counts also pick how a selected page is
// read, whichever reads the least: walking an index in the page's order
// (the records', or the rarest label's), checking each entry, or gathering
// the few selected rows through the trigram or labels index and sorting
// them (see BenchmarkList for figures).
//
// A damaged record keeps its place in every order (its sort keys are
// columns, still readable).
//
// # Locks
//
// Lock takes a session-level advisory lock on a connection held for the
// lock's lifetime: when the holder dies (even by SIGKILL) or its connection
// breaks, PostgreSQL ends the session and frees the lock at once. A holder
// that lost its lock that way may not notice before it writes; versioned
// writes (GetVersion, then PutIf or DeleteIf) refuse its write if anyone
// wrote the record in between. See Versioned.
//
// # Change feed
//
// Every write of a record (Put, Delete, and writes by hand in SQL) adds a
// Change to a feed, in the same transaction, and notifies listeners at
// commit. The store is a store.ChangeFeed: a certs Manager whose scheduler
// runs (Start) follows it, so that each replica serves what another one
// imported, renewed or removed, within a round trip. Changes reads the
// feed from a position and Watch follows it (waking on notifications,
// polling as a fallback), for other consumers; PruneChanges drops old
// entries.
package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/certs-dev/certs/store"
)

// Store is a store.Store and store.Locker on PostgreSQL. Make one with
// New; it is safe for concurrent use by multiple goroutines and processes.
//
// It follows store.Store's contract, and is a store.Locker, a
// store.Scanner and a store.ChangeFeed. Besides, it offers versioned
// writes (Versioned) and the change feed's details (Changes, Watch).
//
// Printing a Store shows where it connects, never the password.
type Store struct {
	*state
}

// state is what a Store holds, behind a pointer so that the fmt paths no
// method intercepts print an address.
type state struct {
	pool    *pgxpool.Pool // data: records, blobs, the feed
	ownPool bool
	locks   *pgxpool.Pool // one connection per held or awaited lock
	// listenConfig makes Watch's connections.
	listenConfig *pgx.ConnConfig
	schema       string
	q            *queries
	log          *slog.Logger
	poll         time.Duration
	channel      string
	desc         string
	trigram      bool
	totals       totalCache

	held   sync.Map // *heldLock, for Close
	closed atomic.Bool
	// done is closed by Close; it ends waiting Locks and Watches.
	done      chan struct{}
	closeOnce sync.Once
}

var (
	_ store.Store  = (*Store)(nil)
	_ store.Locker = (*Store)(nil)
	_ Versioned    = (*Store)(nil)
)

// New connects to PostgreSQL, creates or migrates the store's schema, and
// returns the store. ctx bounds the connection and the migrations (another
// process migrating the same schema makes New wait for it). Errors:
// ErrInvalidConfig, *ConnectError (ErrConnect), ErrUnsupportedServer,
// ErrSchemaTooNew, *MigrationError (ErrMigration).
func New(ctx context.Context, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	pc, err := cfg.poolConfig()
	if err != nil {
		return nil, err
	}
	s := &Store{&state{
		schema: cfg.Schema, q: newQueries(cfg.Schema), log: cfg.Logger, poll: cfg.PollInterval,
		channel: channelName(cfg.Schema), desc: describe(&pc.ConnConfig.Config, cfg.Schema),
		done: make(chan struct{}), listenConfig: pc.ConnConfig.Copy(),
	}}
	if err := s.connect(ctx, cfg, pc); err != nil {
		return nil, err
	}
	trigram, err := migrate(ctx, s.pool, s.schema, s.log)
	if err != nil {
		s.Close()
		return nil, s.connectError(ctx, pc, err)
	}
	s.trigram = trigram
	return s, nil
}

// connect makes the pools: the data pool from pc (or cfg.Pool), and the
// lock pool with the same settings.
func (s *Store) connect(ctx context.Context, cfg Config, pc *pgxpool.Config) error {
	lc := pc.Copy()
	lc.MaxConns = cfg.MaxLockConns
	lc.MinConns, lc.MinIdleConns = 0, 0
	lc.MaxConnIdleTime = time.Minute
	var err error
	if cfg.Pool != nil {
		s.pool = cfg.Pool
	} else {
		if s.pool, err = pgxpool.NewWithConfig(ctx, pc); err != nil {
			return s.connectError(ctx, pc, err)
		}
		s.ownPool = true
	}
	if s.locks, err = pgxpool.NewWithConfig(ctx, lc); err != nil {
		s.Close()
		return s.connectError(ctx, pc, err)
	}
	return nil
}

// connectError classifies an error of New: the context's, one of the
// package's typed errors, or a *ConnectError.
func (s *Store) connectError(ctx context.Context, pc *pgxpool.Config, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("pgstore: connect and migrate %s: %w", s.desc, ctx.Err())
	}
	for _, typed := range []error{ErrUnsupportedServer, ErrSchemaTooNew, ErrMigration} {
		if errors.Is(err, typed) {
			return err
		}
	}
	cc := pc.ConnConfig
	return &ConnectError{Host: cc.Host, Port: cc.Port, Database: cc.Database, User: cc.User, Err: err, password: cc.Password}
}

// Close releases the store's connections: it ends waiting Locks and Watches
// (with ErrClosed), frees the locks still held, and closes the pool it
// opened (a Config.Pool stays open). Later calls return ErrClosed. Close may
// be called more than once.
func (s *Store) Close() {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.done)
		s.held.Range(func(k, _ any) bool {
			k.(*heldLock).release(true)
			return true
		})
		if s.locks != nil {
			s.locks.Close()
		}
		if s.ownPool && s.pool != nil {
			s.pool.Close()
		}
	})
}

// Schema returns the PostgreSQL schema holding the store's tables.
func (s *Store) Schema() string { return s.schema }

// Trigram reports whether List's Filter is served by the pg_trgm index
// (false: the extension was unavailable when New ran).
func (s *Store) Trigram() bool { return s.trigram }

// String says where the store connects: host, port, database, user and
// schema, never the password.
func (s *Store) String() string {
	if s == nil || s.state == nil {
		return "pgstore.Store{<not made by New>}"
	}
	return "pgstore.Store{" + s.desc + "}"
}

// GoString is like String.
func (s *Store) GoString() string { return s.String() }

// Format prints String for every verb.
func (s *Store) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue logs String.
func (s *Store) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON encodes String as a JSON string.
func (s *Store) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// begin checks, before any I/O, that ctx is live and the store open.
func (s *Store) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// withDone returns ctx, also cancelled, with the cause ErrClosed, when the
// store is closed.
func (s *Store) withDone(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-s.done:
			cancel(ErrClosed)
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// doneErr returns the error of a ctx made by withDone: ErrClosed when the
// store was closed, else the caller's context error.
func doneErr(ctx context.Context) error {
	if cause := context.Cause(ctx); errors.Is(cause, ErrClosed) {
		return ErrClosed
	}
	return ctx.Err()
}
