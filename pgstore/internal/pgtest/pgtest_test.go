package pgtest

import (
	"context"
	"errors"
	"os"
	"testing"

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
