package deployhook_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/store"
)

// TestStoppedCommandKillsItsProcessGroup: when the context of a run ends,
// the shell and what it started in the background are killed. The command
// tells the test its background child's PID through a FIFO.
func TestStoppedCommandKillsItsProcessGroup(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pid")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	e := newEnv(t, store.NewMemory(), newCA(t), t.TempDir(),
		deployhook.Config{Command: "sleep 600 & echo $! > '" + fifo + "'; wait"})
	e.importCert("a.example.com")
	ctx, cancel := context.WithCancel(e.ctx)
	pid := make(chan int, 1)
	go func() {
		b, err := os.ReadFile(fifo) // blocks until the command writes
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			n = 0
		}
		pid <- n
		cancel()
	}()
	r := e.h.Flush(ctx)
	require.ErrorIs(t, r.Err, context.Canceled)
	require.Equal(t, -1, r.ExitCode)
	child := <-pid
	require.Positive(t, child)
	requireGone(t, child)
}

// requireGone waits for pid to be gone (or a zombie nobody reaped yet):
// SIGKILL is sent when the command is stopped, and takes effect at once,
// but the test must not race its delivery.
func requireGone(t *testing.T, pid int) {
	for range 1000 {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && strings.Contains(string(b), ") Z ") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("the background child %d outlived its stopped command", pid)
}
