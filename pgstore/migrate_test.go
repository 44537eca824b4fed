package pgstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// TestConcurrentNewMigratesOnce: five processes' worth of New (each with
// its own pool) start at once on an empty database; all succeed, and each
// migration is applied once.
func TestConcurrentNewMigratesOnce(t *testing.T) {
	t.Parallel()
	dsn, db := newDB(t)
	logs := &logRecorder{}
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := New(ctxT(t), Config{DSN: dsn, Logger: slogTo(logs)})
			if err == nil {
				t.Cleanup(s.Close)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "New #%d", i)
	}
	require.Len(t, logs.matching("applied schema migration"), len(migrations), logs.all())
	var rows, versions int
	require.NoError(t, adminConn(t, db).QueryRow(ctxT(t), "SELECT count(*), count(DISTINCT version) FROM certs.migrations").Scan(&rows, &versions))
	require.Equal(t, len(migrations), rows)
	require.Equal(t, len(migrations), versions)

	s := newStoreDSN(t, dsn, Config{Logger: slogTo(logs)})
	require.Len(t, logs.matching("applied schema migration"), len(migrations), "a later New migrated again")
	require.True(t, s.Trigram(), "the trigram index is built when the user owns the database")
}

// TestSchemaTooNew: a schema migrated by a newer program is refused with
// ErrSchemaTooNew, not touched.
func TestSchemaTooNew(t *testing.T) {
	t.Parallel()
	dsn, db := newDB(t)
	newStoreDSN(t, dsn, Config{})
	adminExec(t, db, "INSERT INTO certs.migrations (version, description) VALUES ($1, 'from the future')", len(migrations)+1)
	_, err := New(ctxT(t), Config{DSN: dsn, Logger: quiet()})
	require.ErrorIs(t, err, ErrSchemaTooNew)
	require.Contains(t, err.Error(), "run the newest version")
}

// TestTrigramUnavailable: in a database where the user may not create
// extensions (an administrator made the schema for it), New still works,
// logs that Filter falls back to a scan, and Filter gives the right
// answer.
func TestTrigramUnavailable(t *testing.T) {
	t.Parallel()
	if srv == nil {
		t.Skip(skipReason)
	}
	db := srv.NewAdminDatabase(t)
	adminExec(t, db, "CREATE SCHEMA certs AUTHORIZATION pgtest_app")
	logs := &logRecorder{}
	s := newStoreDSN(t, srv.AppDSN(db), Config{Logger: slogTo(logs)})
	require.False(t, s.Trigram())
	require.Len(t, logs.matching("pg_trgm extension is unavailable"), 1, logs.all())
	ctx := ctxT(t)
	for _, n := range []string{"shop.example.com", "blog.example.com", "shop.other.test"} {
		require.NoError(t, s.Put(ctx, &store.Record{Name: n}))
	}
	res, err := s.List(ctx, store.ListOptions{Filter: "shop"})
	require.NoError(t, err)
	require.Equal(t, 2, res.Total)
	require.Len(t, res.Records, 2)
}

// TestSchemasAreIndependent: two stores in different schemas of one
// database share neither records, nor locks, nor change feeds.
func TestSchemasAreIndependent(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	a := newStoreDSN(t, dsn, Config{Schema: "tenant_a"})
	b := newStoreDSN(t, dsn, Config{Schema: "tenant_b"})
	ctx := ctxT(t)
	require.NoError(t, a.Put(ctx, &store.Record{Name: "example.com"}))
	_, err := b.Get(ctx, "example.com")
	require.ErrorIs(t, err, store.ErrNotFound)
	unlock, err := a.Lock(ctx, "example.com")
	require.NoError(t, err)
	defer unlock()
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u, err := b.Lock(short, "example.com")
	require.NoError(t, err, "a lock of schema tenant_a blocked tenant_b")
	u()
	seq, err := b.LastChange(ctx)
	require.NoError(t, err)
	require.Zero(t, seq)
}

// TestNewWithPool: a Store on a given pool works and leaves it open on
// Close.
func TestNewWithPool(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	pool, err := pgxpool.New(ctxT(t), dsn)
	require.NoError(t, err)
	defer pool.Close()
	s, err := New(ctxT(t), Config{Pool: pool, Logger: quiet()})
	require.NoError(t, err)
	require.NoError(t, s.Put(ctxT(t), &store.Record{Name: "example.com"}))
	s.Close()
	s.Close() // twice is fine
	var n int
	require.NoError(t, pool.QueryRow(ctxT(t), "SELECT count(*) FROM certs.records").Scan(&n))
	require.Equal(t, 1, n)
}

// TestNewConfigErrors: each unusable Config is refused with
// ErrInvalidConfig and a message naming the field.
func TestNewConfigErrors(t *testing.T) {
	t.Parallel()
	pool := &pgxpool.Pool{}
	for _, tc := range []struct {
		name string
		cfg  Config
		says string
	}{
		{"nothing to connect to", Config{}, "neither DSN nor Pool"},
		{"both DSN and Pool", Config{DSN: "postgres://h/db", Pool: pool}, "both DSN and Pool"},
		{"schema with uppercase", Config{DSN: "postgres://h/db", Schema: "Certs"}, "Schema"},
		{"schema with a quote", Config{DSN: "postgres://h/db", Schema: `a"b`}, "Schema"},
		{"schema starting with pg_", Config{DSN: "postgres://h/db", Schema: "pg_certs"}, "Schema"},
		{"schema too long", Config{DSN: "postgres://h/db", Schema: fmt.Sprintf("%049d", 0)}, "Schema"},
		{"negative MaxLockConns", Config{DSN: "postgres://h/db", MaxLockConns: -1}, "MaxLockConns"},
		{"negative PollInterval", Config{DSN: "postgres://h/db", PollInterval: -time.Second}, "PollInterval"},
		{"unparseable DSN", Config{DSN: "postgres://u:pw@h:notaport/db"}, "DSN cannot be parsed"},
		{"unknown sslmode", Config{DSN: "host=h sslmode=sometimes"}, "DSN cannot be parsed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(context.Background(), tc.cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
			require.Contains(t, err.Error(), tc.says)
		})
	}
}

// TestNewConnectErrors: a server that refuses the login or is not there is
// a *ConnectError saying where and as whom, without the password.
func TestNewConnectErrors(t *testing.T) {
	t.Parallel()
	_, db := newDB(t)
	wrongPW := "postgres://pgtest_app:wrong-secret-pw@127.0.0.1:" + fmt.Sprint(srv.Port()) + "/" + db + "?sslmode=disable"
	nobody := "postgres://pgtest_app:wrong-secret-pw@127.0.0.1:1/" + db + "?sslmode=disable&connect_timeout=5"
	for _, tc := range []struct{ name, dsn string }{{"wrong password", wrongPW}, {"no server", nobody}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(ctxT(t), Config{DSN: tc.dsn, Logger: quiet()})
			require.ErrorIs(t, err, ErrConnect)
			var ce *ConnectError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, "pgtest_app", ce.User)
			require.Equal(t, db, ce.Database)
			require.NotContains(t, err.Error(), "wrong-secret-pw")
			require.Contains(t, err.Error(), "pg_hba.conf")
		})
	}
}
