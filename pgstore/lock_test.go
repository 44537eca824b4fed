package pgstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// holderNameEnv names the lock the child of TestLockHolderChild holds.
const holderNameEnv = "PGSTORE_TEST_HOLDER_NAME"

// TestLockHolderChild is the child process of TestLockKilledHolderFreed:
// it takes the lock $PGSTORE_TEST_HOLDER_NAME in the database of
// $PGSTORE_TEST_CHILD_DSN, prints "ready" and holds it until killed or
// until its stdin closes.
func TestLockHolderChild(t *testing.T) {
	dsn := os.Getenv(childDSNEnv)
	if dsn == "" {
		t.Skip("helper process of TestLockKilledHolderFreed")
	}
	s, err := New(context.Background(), Config{DSN: dsn, Logger: quiet()})
	require.NoError(t, err)
	defer s.Close()
	unlock, err := s.Lock(context.Background(), os.Getenv(holderNameEnv))
	require.NoError(t, err)
	defer unlock()
	os.Stdout.WriteString("ready\n")
	_, _ = io.Copy(io.Discard, os.Stdin) // returns when the parent goes away
}

// startHolder re-executes the test binary as TestLockHolderChild holding
// the lock name in the database of dsn, and waits until it holds it.
func startHolder(t *testing.T, dsn, name string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childDSNEnv+"="+dsn, holderNameEnv+"="+name)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { stdin.Close(); _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && line != "ready\n" {
			err = fmt.Errorf("unexpected first line %q", line)
		}
		ready <- err
	}()
	select {
	case err = <-ready:
	case <-time.After(60 * time.Second):
		err = errors.New("child not ready after 60s")
	}
	require.NoError(t, err)
	return cmd
}

// TestLockKilledHolderFreed: a process holding a lock is killed with
// SIGKILL; another process waiting for the lock gets it within a few
// seconds, because PostgreSQL ends the dead holder's session and with it
// the lock. While the holder lives, nobody else gets the lock.
func TestLockKilledHolderFreed(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	s := newStoreDSN(t, dsn, Config{})
	holder := startHolder(t, dsn, "example.com")

	short, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := s.Lock(short, "example.com")
	require.ErrorIs(t, err, context.DeadlineExceeded, "a live holder's lock was taken")

	type result struct {
		unlock func()
		err    error
		at     time.Time
	}
	got := make(chan result, 1)
	go func() { // already waiting when the holder dies
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		unlock, err := s.Lock(ctx, "example.com")
		got <- result{unlock, err, time.Now()}
	}()
	time.Sleep(200 * time.Millisecond)
	killed := time.Now()
	require.NoError(t, holder.Process.Signal(syscall.SIGKILL))
	r := <-got
	require.NoError(t, r.err)
	defer r.unlock()
	took := r.at.Sub(killed)
	t.Logf("lock taken over %s after SIGKILL", took)
	require.Less(t, took, 5*time.Second)
}

// TestLockLostWriteRefused: a holder's connection is ended by the server
// (as a network failure or a failover would); another process takes the
// lock and writes. The first holder, unaware, writes with the version it
// read: refused with ErrConflict, and the other's write stays. Its unlock
// then logs the loss and leaves the new holder's lock alone.
func TestLockLostWriteRefused(t *testing.T) {
	t.Parallel()
	dsn, db := newDB(t)
	logs := &logRecorder{}
	a := newStoreDSN(t, dsn, Config{Logger: slogTo(logs)})
	b := newStoreDSN(t, dsn, Config{})
	ctx := ctxT(t)
	require.NoError(t, a.Put(ctx, &store.Record{Name: "example.com", Data: []byte("v1")}))

	unlockA, err := a.Lock(ctx, "example.com")
	require.NoError(t, err)
	recA, vA, err := a.GetVersion(ctx, "example.com")
	require.NoError(t, err)

	// The server ends A's lock session.
	admin := adminConn(t, db)
	tag, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
	require.NoError(t, err)
	require.EqualValues(t, 1, tag.RowsAffected())

	short, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	unlockB, err := b.Lock(short, "example.com")
	require.NoError(t, err, "the lock of an ended session is free")
	defer unlockB()
	recB, vB, err := b.GetVersion(ctx, "example.com")
	require.NoError(t, err)
	recB.Data = []byte("written by b")
	_, err = b.PutIf(ctx, recB, vB)
	require.NoError(t, err)

	recA.Data = []byte("written by a, which lost its lock")
	_, err = a.PutIf(ctx, recA, vA)
	require.ErrorIs(t, err, ErrConflict)
	var ce *ConflictError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, vA, ce.Expected)
	require.NotEqual(t, vA, ce.Actual)
	got, err := b.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, "written by b", string(got.Data))

	unlockA()
	require.Len(t, logs.matching("a lock was lost while held"), 1, logs.all())
	short2, cancel2 := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel2()
	_, err = a.Lock(short2, "example.com")
	require.ErrorIs(t, err, context.DeadlineExceeded, "A's unlock released B's lock")
}

// TestLockClose: Close frees the locks a store holds and ends its waiting
// Locks with ErrClosed.
func TestLockClose(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	a := newStoreDSN(t, dsn, Config{})
	b := newStoreDSN(t, dsn, Config{})
	ctx := ctxT(t)
	_, err := a.Lock(ctx, "held.example.com")
	require.NoError(t, err)
	unlockB, err := b.Lock(ctx, "waited.example.com")
	require.NoError(t, err)
	waiting := make(chan error, 1)
	go func() { _, err := a.Lock(ctx, "waited.example.com"); waiting <- err }()
	time.Sleep(200 * time.Millisecond)

	a.Close()
	require.ErrorIs(t, <-waiting, ErrClosed)
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u, err := b.Lock(short, "held.example.com")
	require.NoError(t, err, "Close did not free the held lock")
	u()
	unlockB()
	_, err = a.Lock(ctx, "x.example.com")
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, a.Put(ctx, &store.Record{Name: "x.example.com"}), ErrClosed)
}
