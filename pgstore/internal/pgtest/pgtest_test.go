package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestServer starts a server, connects as the app role to a new database
// and checks who owns what.
func TestServer(t *testing.T) {
	s, err := Start()
	if errors.Is(err, ErrNoPostgres) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	t.Logf("%s, running as %s on port %d", s.Version(), s.RunAs(), s.Port())
	if os.Geteuid() == 0 {
		require.NotEqual(t, "root", s.RunAs())
	}
	db := s.NewDatabase(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.AppDSN(db))
	require.NoError(t, err)
	defer conn.Close(ctx)
	var user, owner string
	require.NoError(t, conn.QueryRow(ctx, "SELECT current_user, pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()").Scan(&user, &owner))
	require.Equal(t, AppUser, user)
	require.Equal(t, AppUser, owner)
	var super bool
	require.NoError(t, conn.QueryRow(ctx, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&super))
	require.False(t, super)
}

// TestServerRestart: Halt (clean, then SIGKILL) and Resume keep the port
// and the data; while halted, connections fail.
func TestServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a PostgreSQL server")
	}
	s, err := Start()
	if errors.Is(err, ErrNoPostgres) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	db := s.NewDatabase(t)
	port := s.Port()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	exec := func(sql string) error {
		conn, err := pgx.Connect(ctx, s.AppDSN(db))
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	require.NoError(t, exec("CREATE TABLE t (n int)"))
	for i, kill := range []bool{false, true} {
		require.NoError(t, exec(fmt.Sprintf("INSERT INTO t VALUES (%d)", i)))
		require.NoError(t, s.Halt(kill))
		require.Error(t, exec("SELECT 1"), "connected to a halted server")
		require.NoError(t, s.Resume())
		require.Equal(t, port, s.Port())
		conn, err := pgx.Connect(ctx, s.AppDSN(db))
		require.NoError(t, err)
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n))
		conn.Close(ctx)
		require.Equal(t, i+1, n, "rows after restart (kill %v)", kill)
	}
}
