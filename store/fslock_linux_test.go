package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Environment of the lock holder child process.
const (
	holderDirEnv  = "CERTS_STORE_HOLDER_DIR"  // store directory; set only in the child
	holderNameEnv = "CERTS_STORE_HOLDER_NAME" // the lock to hold; empty to hold none
	longLockTTL   = 10 * time.Minute
)

// TestLockHolderChild is the child process of the lock tests: it takes the
// lock called $CERTS_STORE_HOLDER_NAME (if set) with a 10-minute TTL,
// prints "ready" and holds it until killed or until its stdin closes.
func TestLockHolderChild(t *testing.T) {
	dir := os.Getenv(holderDirEnv)
	if dir == "" {
		t.Skip("helper process of the lock tests")
	}
	s, err := NewFS(dir)
	require.NoError(t, err)
	s.LockTTL = longLockTTL
	if name := os.Getenv(holderNameEnv); name != "" {
		unlock, err := s.Lock(context.Background(), name)
		require.NoError(t, err)
		defer unlock()
	}
	os.Stdout.WriteString("ready\n")
	_, _ = io.Copy(io.Discard, os.Stdin) // returns when the parent goes away
}

// holder is a running child process of TestLockHolderChild.
type holder struct {
	cmd    *exec.Cmd
	waited sync.Once
}

// startHolder starts a child process holding the lock called name in dir
// (none if name is empty) and waits until it holds it.
func startHolder(t *testing.T, dir, name string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), holderDirEnv+"="+dir, holderNameEnv+"="+name)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	h := &holder{cmd: cmd}
	t.Cleanup(func() { stdin.Close(); h.kill(t); h.wait() })
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
	case <-time.After(30 * time.Second):
		err = errors.New("child not ready after 30s")
	}
	require.NoError(t, err)
	return h
}

// kill kills the child with SIGKILL, as a crash or the OOM killer would.
func (h *holder) kill(t *testing.T) {
	err := h.cmd.Process.Signal(syscall.SIGKILL)
	if !errors.Is(err, os.ErrProcessDone) {
		require.NoError(t, err)
	}
}

// wait reaps the child.
func (h *holder) wait() { h.waited.Do(func() { _ = h.cmd.Wait() }) }

// TestFSLockKilledHolderTakenOver: a process holding a lock is killed with
// SIGKILL; another process waiting for the lock gets it at once, well
// within the lock's 10-minute TTL, whether the dead holder was reaped or is
// still a zombie. While the holder lives, the lock is not taken over.
func TestFSLockKilledHolderTakenOver(t *testing.T) {
	t.Parallel()
	for _, reaped := range []bool{true, false} {
		t.Run(fmt.Sprintf("reaped=%v", reaped), func(t *testing.T) {
			t.Parallel()
			s := newTestFS(t)
			s.LockTTL = longLockTTL
			h := startHolder(t, s.Dir(), "example.com")

			short, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := s.Lock(short, "example.com")
			require.ErrorIs(t, err, context.DeadlineExceeded, "a live holder's lock was taken over")

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // 60 times under the TTL
			defer cancel()
			type result struct {
				unlock func()
				err    error
			}
			got := make(chan result, 1)
			go func() { // already waiting when the holder dies
				unlock, err := s.Lock(ctx, "example.com")
				got <- result{unlock, err}
			}()
			h.kill(t)
			if reaped {
				h.wait()
			}
			r := <-got
			require.NoError(t, r.err, "the lock of a killed holder was not taken over")
			requireOwnLockFile(t, s, "example.com")
			r.unlock()
		})
	}
}

// requireOwnLockFile checks that the lock file of name names this process.
func requireOwnLockFile(t *testing.T, s *FS, name string) {
	p, err := s.lockPath(name)
	require.NoError(t, err)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	var info lockInfo
	require.NoError(t, json.Unmarshal(b, &info))
	require.Equal(t, os.Getpid(), info.PID)
	me := selfProcess()
	require.True(t, me.known(), "/proc did not tell this process's identity")
	require.Equal(t, me, process{Boot: info.Boot, PIDNS: info.PIDNS, Start: info.Start})
}

// deadProcess returns the PID and start time of a child process that has
// exited and been reaped.
func deadProcess(t *testing.T) (int, uint64) {
	h := startHolder(t, t.TempDir(), "")
	pid := h.cmd.Process.Pid
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	require.NoError(t, err)
	_, start, err := parseProcStat(b)
	require.NoError(t, err)
	h.kill(t)
	h.wait()
	require.ErrorIs(t, syscall.Kill(pid, 0), syscall.ESRCH)
	return pid, start
}

// TestFSLockHolderIdentity plants lock files, fresh for a 10-minute TTL,
// and checks which ones a waiter takes over at once: only those whose
// holder is certainly gone. A PID of another host, boot or PID namespace
// (another container with the same hostname) may belong to a live process,
// and so may any PID in a lock file that does not record the identity.
func TestFSLockHolderIdentity(t *testing.T) {
	t.Parallel()
	host, err := os.Hostname()
	require.NoError(t, err)
	me := selfProcess()
	require.True(t, me.known())
	deadPID, deadStart := deadProcess(t)
	dead := lockInfo{Host: host, PID: deadPID, Boot: me.Boot, PIDNS: me.PIDNS, Start: deadStart}
	tests := []struct {
		name     string
		edit     func(*lockInfo)
		takeOver bool
	}{
		{"dead process", func(*lockInfo) {}, true},
		{"PID reused by a later process", func(i *lockInfo) { i.PID, i.Start = os.Getpid(), me.Start-1 }, true},
		{"live process (this one)", func(i *lockInfo) { i.PID, i.Start = os.Getpid(), me.Start }, false},
		{"another host", func(i *lockInfo) { i.Host = "other-" + host }, false},
		{"another boot", func(i *lockInfo) { i.Boot = "00000000-0000-0000-0000-000000000000" }, false},
		{"another PID namespace", func(i *lockInfo) { i.PIDNS = "pid:[1]" }, false},
		{"no identity (older version)", func(i *lockInfo) { i.Boot, i.PIDNS, i.Start = "", "", 0 }, false},
		{"no start time", func(i *lockInfo) { i.Start = 0 }, false},
		{"no PID", func(i *lockInfo) { i.PID = 0 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTestFS(t)
			s.LockTTL = longLockTTL
			info := dead
			info.Name, info.Acquired, info.Token = "example.com", time.Now(), randomHex(16)
			tc.edit(&info)
			p, err := s.lockPath("example.com")
			require.NoError(t, err)
			b, err := json.Marshal(info)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(p, b, 0o600))
			wait := 300 * time.Millisecond
			if tc.takeOver {
				wait = 10 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			unlock, err := s.Lock(ctx, "example.com")
			if !tc.takeOver {
				require.ErrorIs(t, err, context.DeadlineExceeded, "a holder that may be alive lost its lock")
				return
			}
			require.NoError(t, err)
			requireOwnLockFile(t, s, "example.com")
			unlock()
		})
	}
}
