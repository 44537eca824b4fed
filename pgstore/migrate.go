package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrateLockName is the advisory lock that serializes migrations of a
// schema; a NUL byte keeps it apart from every lock name Lock accepts.
const migrateLockName = "\x00migrate"

// migrate brings the schema to the newest version. It holds the schema's
// migration lock (a session-level advisory lock) throughout, so that
// processes starting at once take turns: the first applies what is
// missing, the others find nothing left to do. It reports whether the
// trigram index on names is in place.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, log *slog.Logger) (trigram bool, err error) {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil { // the lock may be held; closing the session frees it
			_ = c.Conn().Close(context.Background())
		}
		c.Release()
	}()
	conn := c.Conn()
	if err := checkServer(ctx, conn); err != nil {
		return false, err
	}
	key := lockKey(schema, migrateLockName)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return false, err
	}
	if err := applyMigrations(ctx, conn, schema, log); err != nil {
		return false, err
	}
	trigram, err = ensureTrigram(ctx, conn, schema, log)
	if err != nil {
		return false, err
	}
	_, err = conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key)
	return trigram, err
}

// checkServer refuses servers older than PostgreSQL 13.
func checkServer(ctx context.Context, conn *pgx.Conn) error {
	var num int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&num); err != nil {
		return err
	}
	if num < 130000 {
		return fmt.Errorf("%w (the server is version %d.%d)", ErrUnsupportedServer, num/10000, num%10000)
	}
	return nil
}

// applyMigrations creates the schema and its migrations table if missing
// and applies the migrations the schema lacks, each in a transaction.
func applyMigrations(ctx context.Context, conn *pgx.Conn, schema string, log *slog.Logger) error {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		return err
	}
	if !exists { // a schema created by an administrator needs no CREATE right on the database
		if _, err := conn.Exec(ctx, render("CREATE SCHEMA {s}", schema)); err != nil {
			return &MigrationError{Version: 1, Description: "create schema " + schema, Err: err}
		}
	}
	_, err := conn.Exec(ctx, render(`CREATE TABLE IF NOT EXISTS {s}.migrations (
		version integer PRIMARY KEY,
		description text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`, schema))
	if err != nil {
		return &MigrationError{Version: 1, Description: "create the migrations table", Err: err}
	}
	var current int
	if err := conn.QueryRow(ctx, render("SELECT coalesce(max(version), 0) FROM {s}.migrations", schema)).Scan(&current); err != nil {
		return err
	}
	if current > len(migrations) {
		return fmt.Errorf("%w: schema %s is at version %d, this program knows versions up to %d; run the newest version of the program on every replica",
			ErrSchemaTooNew, schema, current, len(migrations))
	}
	for _, m := range migrations[current:] {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, render(m.sql, schema)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, render("INSERT INTO {s}.migrations (version, description) VALUES ($1, $2)", schema), m.version, m.description)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &MigrationError{Version: m.version, Description: m.description, Err: err}
		}
		log.Info("pgstore: applied schema migration", "schema", schema, "version", m.version, "description", m.description)
	}
	return nil
}

// ensureTrigram creates the pg_trgm extension (in the store's schema,
// unless the database has it already) and the trigram index that serves
// List's Filter. Without the extension (not installed on the server, or
// the user may not create it) the Filter still works, by a scan of the
// names, and this is logged at every start until an administrator runs
// CREATE EXTENSION pg_trgm; the next start then builds the index.
func ensureTrigram(ctx context.Context, conn *pgx.Conn, schema string, log *slog.Logger) (bool, error) {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", quoteIdent(schema)+".records_name_trgm").Scan(&exists); err != nil || exists {
		return exists, err
	}
	var extSchema string
	err := conn.QueryRow(ctx, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").Scan(&extSchema)
	if errors.Is(err, pgx.ErrNoRows) {
		extSchema = schema
		_, err = conn.Exec(ctx, render("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA {s}", schema))
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		log.Warn("pgstore: the pg_trgm extension is unavailable, so List's Filter scans every name; have a superuser run CREATE EXTENSION pg_trgm in this database (Debian: apt-get install postgresql-contrib on older releases)",
			"schema", schema, "error", pgErr.Message)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	log.Info("pgstore: building the trigram index of hostnames", "schema", schema)
	q := render("CREATE INDEX IF NOT EXISTS records_name_trgm ON {s}.records USING gin (name ", schema) + quoteIdent(extSchema) + ".gin_trgm_ops)"
	if _, err := conn.Exec(ctx, q); err != nil {
		return false, &MigrationError{Version: len(migrations), Description: "trigram index of hostnames", Err: err}
	}
	return true, nil
}
