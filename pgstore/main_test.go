package pgstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/pgstore/internal/pgtest"
)

// childDSNEnv is set in the child processes of the lock tests: they use
// the parent's server instead of starting one.
const childDSNEnv = "PGSTORE_TEST_CHILD_DSN"

// srv is the test binary's PostgreSQL server; nil when the binaries are
// missing outside CI, with skipReason saying so.
var (
	srv        *pgtest.Server
	skipReason string
)

// TestMain starts one PostgreSQL server for the whole package. Without
// the binaries, the tests skip, except under CI (CI set), where that is a
// failure.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv(childDSNEnv) != "" {
		return m.Run()
	}
	s, err := pgtest.Start()
	switch {
	case errors.Is(err, pgtest.ErrNoPostgres) && os.Getenv("CI") == "":
		skipReason = err.Error() + " (under CI this fails)"
	case err != nil:
		fmt.Fprintln(os.Stderr, "pgstore tests:", err)
		return 1
	default:
		srv = s
		defer s.Stop()
	}
	return m.Run()
}

// newDB creates a fresh database for the test and returns the app role's
// DSN for it.
func newDB(t testing.TB) (dsn, name string) {
	t.Helper()
	if srv == nil {
		t.Skip(skipReason)
	}
	name = srv.NewDatabase(t)
	return srv.AppDSN(name), name
}

// newStoreDSN returns a store on dsn, closed when the test ends.
func newStoreDSN(t testing.TB, dsn string, cfg Config) *Store {
	t.Helper()
	cfg.DSN = dsn
	if cfg.Logger == nil {
		cfg.Logger = quiet()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := New(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// newStore returns a store on a fresh database.
func newStore(t testing.TB) *Store {
	t.Helper()
	dsn, _ := newDB(t)
	return newStoreDSN(t, dsn, Config{})
}

// adminExec runs SQL as the superuser in database db.
func adminExec(t testing.TB, db, sql string, args ...any) {
	t.Helper()
	conn := adminConn(t, db)
	_, err := conn.Exec(context.Background(), sql, args...)
	require.NoError(t, err, sql)
}

// adminConn connects as the superuser to database db, for the test.
func adminConn(t testing.TB, db string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), srv.AdminDSN(db))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// logRecorder is a slog handler keeping every message with its attributes
// as text, for tests of what the store logs.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Level.String() + " " + rec.Message)
	rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, b.String())
	return nil
}

// matching returns the lines containing substr.
func (r *logRecorder) matching(substr string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.lines {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// all returns every line.
func (r *logRecorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// slogTo returns a logger writing to r.
func slogTo(r *logRecorder) *slog.Logger { return slog.New(r) }
