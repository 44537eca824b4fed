package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/certs-dev/certs/store"
	"github.com/jackc/pgx/v5/pgconn"
)

// Besides the errors below, the Store returns the errors of package store
// where its contract says so: store.ErrNotFound, store.ErrInvalidName,
// store.ErrInvalidCursor and *store.DamagedError (store.ErrDamaged).

// ErrInvalidConfig is wrapped by the errors New returns for a Config it
// cannot use; the message says which field to fix.
var ErrInvalidConfig = errors.New("pgstore: invalid Config")

// ErrConnect is wrapped by the error returned when PostgreSQL cannot be
// reached or refuses the login; errors.As gives the *ConnectError.
var ErrConnect = errors.New("pgstore: cannot connect to PostgreSQL")

// ConnectError reports a failed connection: where to, as whom, and why. Its
// message never holds the password.
type ConnectError struct {
	// Host, Port, Database and User are from the connection settings.
	Host     string
	Port     uint16
	Database string
	User     string
	// Err is the driver's error.
	Err error
	// password is scrubbed from messages, in case a driver error quotes it.
	password string
}

// Error implements the error interface.
func (e *ConnectError) Error() string {
	msg := fmt.Sprintf("pgstore: cannot connect to PostgreSQL at %s:%d, database %q, user %q: %v; check that the server runs and is reachable, the user and password in the DSN, and that pg_hba.conf lets this user in from here",
		e.Host, e.Port, e.Database, e.User, e.Err)
	return redact(msg, e.password)
}

// Unwrap returns ErrConnect and the driver's error.
func (e *ConnectError) Unwrap() []error { return []error{ErrConnect, e.Err} }

// ErrUnsupportedServer is returned by New for a PostgreSQL server older
// than 13, the oldest version the store runs on.
var ErrUnsupportedServer = errors.New("pgstore: PostgreSQL 13 or later is required; upgrade the server")

// ErrSchemaTooNew is wrapped by the error New returns when the database's
// schema was migrated by a newer version of this package than the running
// one: upgrade the program (every replica) to the newest version.
var ErrSchemaTooNew = errors.New("pgstore: the database schema is newer than this program")

// ErrMigration is wrapped by the error New returns when a schema migration
// fails; errors.As gives the *MigrationError.
var ErrMigration = errors.New("pgstore: schema migration failed")

// MigrationError reports a schema migration that failed. Each migration
// runs in a transaction of its own, so the schema stays at the version
// before it.
type MigrationError struct {
	// Version and Description identify the migration.
	Version     int
	Description string
	// Err is the database's error.
	Err error
}

// Error implements the error interface.
func (e *MigrationError) Error() string {
	return fmt.Sprintf("pgstore: schema migration %d (%s) failed: %v; the schema stays at version %d; check that the user in the DSN owns the schema (or may create it) and retry",
		e.Version, e.Description, e.Err, e.Version-1)
}

// Unwrap returns ErrMigration and the cause.
func (e *MigrationError) Unwrap() []error { return []error{ErrMigration, e.Err} }

// ErrConflict is wrapped by the error a versioned write (PutIf, DeleteIf)
// returns when the record's stored version is not the one the caller
// read: someone else wrote it in between, typically after the caller lost
// its lock. errors.As gives the *ConflictError.
var ErrConflict = store.ErrConflict

// ConflictError reports a refused versioned write.
type ConflictError struct {
	// Name is the record's name.
	Name string
	// Expected is the version the caller passed (0: the record must not
	// exist).
	Expected int64
	// Actual is the version stored when the write was refused (0: the
	// record does not exist). It may be out of date by the time it is
	// read.
	Actual int64
}

// Error implements the error interface.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("pgstore: record %s was changed by another writer (expected version %d, found %d); read it again (GetVersion), redo the change and write it with the new version",
		e.Name, e.Expected, e.Actual)
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// ErrChangesPruned is wrapped by the error Changes and Watch return when
// the changes after since were pruned (PruneChanges), so that some cannot
// be delivered; errors.As gives the *PrunedError.
var ErrChangesPruned = errors.New("pgstore: the change feed was pruned past the requested position")

// PrunedError reports a change feed position that is no longer available.
type PrunedError struct {
	// Since is the position asked for.
	Since int64
	// PrunedThrough is the last pruned position: Changes can start from
	// it, not before.
	PrunedThrough int64
}

// Error implements the error interface.
func (e *PrunedError) Error() string {
	return fmt.Sprintf("pgstore: changes after %d were pruned through %d; reload every record (List or All) and follow the feed from LastChange taken before the reload",
		e.Since, e.PrunedThrough)
}

// Unwrap returns ErrChangesPruned.
func (e *PrunedError) Unwrap() error { return ErrChangesPruned }

// ErrClosed is returned by every method of a Store after Close.
var ErrClosed = errors.New("pgstore: the store is closed")

// dbError wraps err, the error of operation op (for example "get
// example.com"), as the store returns it: the context's error when ctx is
// done (pgx reports a cancelled query in several ways).
func dbError(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("pgstore: %s: %w", op, ctx.Err())
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table
		return fmt.Errorf("pgstore: %s: %w; the store's tables are gone (was the schema dropped?): restart the program so that New recreates them", op, err)
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// redact replaces every occurrence of password in msg.
func redact(msg, password string) string {
	if password == "" {
		return msg
	}
	return strings.ReplaceAll(msg, password, "xxxxx")
}
