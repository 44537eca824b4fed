// Package pgtest runs a real PostgreSQL server for tests: initdb into a
// temporary directory, the server on a free loopback port, and a fresh
// database per test.
//
// One Server serves a whole test binary (start it in TestMain). It listens
// on 127.0.0.1 only, with password (SCRAM) authentication, and keeps its
// Unix socket in its own directory. Two roles exist: an admin superuser that
// creates and drops databases, and an unprivileged app role that owns each
// test database, as a store would run in production.
//
// PostgreSQL refuses to run as root: when the tests run as root, initdb and
// the server run as the user "postgres" (Debian's package creates it), or
// "nobody" when there is none, with the temporary directory owned by that
// user. The server is a child of the test process with a parent-death
// signal, so that a test binary killed by `go test -timeout` does not leave
// it running (pg_ctl would daemonize it).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNoPostgres is returned by Start when the PostgreSQL server binaries
// are not installed.
var ErrNoPostgres = errors.New("pgtest: PostgreSQL server binaries (initdb, postgres) not found on PATH nor under /usr/lib/postgresql/*/bin; install them (apt-get install postgresql)")

// Role names of the server.
const (
	// AdminUser is the superuser that creates and drops databases.
	AdminUser = "pgtest_admin"
	// AppUser is the unprivileged role that owns each test database.
	AppUser = "pgtest_app"
)

// Server is a running PostgreSQL server.
type Server struct {
	dir      string
	port     int
	adminPW  string
	appPW    string
	runAs    string
	version  string
	bin      string              // the directory of initdb and postgres
	cred     *syscall.Credential // the user the server runs as; nil for the current one
	cmd      *exec.Cmd
	exited   chan struct{}
	admin    *pgxpool.Pool
	dbSerial atomic.Int64
}

// Start creates a cluster in a new temporary directory and starts its
// server on a free loopback port. Stop ends it and removes the directory.
func Start() (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	s := &Server{adminPW: randomPassword(), appPW: randomPassword(), bin: bin}
	if s.dir, err = os.MkdirTemp("", "pgtest-"); err != nil {
		return nil, err
	}
	cred, err := s.setUser()
	s.cred = cred
	if err == nil {
		err = s.initdb(bin, cred)
	}
	if err == nil {
		err = s.start(bin, cred)
	}
	if err == nil {
		err = s.setUp()
	}
	if err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Stop stops the server (fast shutdown) and removes its directory.
func (s *Server) Stop() {
	if s.admin != nil {
		s.admin.Close()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	}
	_ = os.RemoveAll(s.dir)
}

// Halt stops the server process but keeps its data directory and port, so
// that Resume starts it again as it was: with kill false, a fast shutdown
// (SIGINT: sessions are ended, the server exits cleanly); with kill true,
// SIGKILL to the server and every process of it at once, as a crash of the
// machine would (Resume then runs PostgreSQL's crash recovery). It closes
// the Admin pool. Halt and Resume must not run concurrently with the
// Server's other methods; connections of others fail until Resume.
func (s *Server) Halt(kill bool) error {
	if s.admin != nil {
		s.admin.Close()
		s.admin = nil
	}
	if s.cmd == nil || s.cmd.Process == nil {
		return errors.New("pgtest: Halt: the server is not running")
	}
	pid := s.cmd.Process.Pid
	if kill {
		// The server runs in a process group of its own (see run).
		if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
			return fmt.Errorf("pgtest: SIGKILL the server's processes: %w", err)
		}
	} else if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		return fmt.Errorf("pgtest: stop the server: %w", err)
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-s.exited
		return fmt.Errorf("pgtest: the server did not stop within 30s (killed):\n%s", s.logTail())
	}
	s.cmd = nil
	if kill { // the backends die with their group; wait until none is left
		deadline := time.Now().Add(30 * time.Second)
		for syscall.Kill(-pid, 0) == nil {
			if time.Now().After(deadline) {
				return fmt.Errorf("pgtest: processes of group %d still alive 30s after SIGKILL", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nil
}

// Resume starts the server again after Halt, on the same data directory
// and port, and waits until it accepts connections (after crash recovery
// when it was killed). It fails if the port was taken in the meantime.
func (s *Server) Resume() error {
	if s.cmd != nil {
		return errors.New("pgtest: Resume: the server is running")
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s.run(s.bin, s.cred)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		// A killed server's shared memory may linger for a moment.
		time.Sleep(100 * time.Millisecond)
	}
}

// RunAs is the operating-system user the server runs as.
func (s *Server) RunAs() string { return s.runAs }

// Version is the server's version, as initdb --version prints it.
func (s *Server) Version() string { return s.version }

// Port is the server's TCP port on 127.0.0.1.
func (s *Server) Port() int { return s.port }

// AdminDSN is the superuser's connection URL for database db.
func (s *Server) AdminDSN(db string) string { return s.dsn(AdminUser, s.adminPW, db) }

// AppDSN is the app role's connection URL for database db.
func (s *Server) AppDSN(db string) string { return s.dsn(AppUser, s.appPW, db) }

// AppPassword is the app role's password, for tests that check it is never
// printed.
func (s *Server) AppPassword() string { return s.appPW }

func (s *Server) dsn(user, pw, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, pw), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)), Path: "/" + db}
	u.RawQuery = "sslmode=disable"
	return u.String()
}

// Admin returns a connection pool of the superuser on the database
// "postgres".
func (s *Server) Admin() *pgxpool.Pool { return s.admin }

// NewDatabase creates an empty database owned by the app role, dropped
// when the test ends, and returns its name.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	return s.newDatabase(tb, AppUser)
}

// NewAdminDatabase creates an empty database owned by the superuser (the
// app role may connect but not create schemas or extensions in it),
// dropped when the test ends, and returns its name.
func (s *Server) NewAdminDatabase(tb testing.TB) string {
	tb.Helper()
	return s.newDatabase(tb, AdminUser)
}

func (s *Server) newDatabase(tb testing.TB, owner string) string {
	tb.Helper()
	name := fmt.Sprintf("t%d", s.dbSerial.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " OWNER " + pgx.Identifier{owner}.Sanitize()
	if _, err := s.admin.Exec(ctx, q); err != nil {
		tb.Fatalf("pgtest: %s: %v", q, err)
	}
	tb.Cleanup(func() { s.DropDatabase(tb, name) })
	return name
}

// DropDatabase drops the database called name, ending its sessions.
func (s *Server) DropDatabase(tb testing.TB, name string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		tb.Errorf("pgtest: drop database %s: %v", name, err)
	}
}

// setUp connects as the superuser and creates the app role.
func (s *Server) setUp() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := "CREATE ROLE " + pgx.Identifier{AppUser}.Sanitize() + " LOGIN PASSWORD '" + s.appPW + "'"
	_, err := s.admin.Exec(ctx, q)
	return err
}

// randomPassword returns a password that never occurs by chance in a
// message, so that tests can search for it.
func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "pw" + hex.EncodeToString(b)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logTail returns the end of the server's log, for error messages.
func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
