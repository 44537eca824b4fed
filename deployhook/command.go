package deployhook

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Result is one batch of changes and the run of the command after it.
type Result struct {
	// Renewed are the hostnames whose files were written (issued,
	// renewed, imported, or another certificate now preferred), sorted.
	Renewed []string `json:"renewed,omitempty"`
	// Removed are the hostnames whose lineage was deleted, sorted.
	Removed []string `json:"removed,omitempty"`
	// Failed are the hostnames whose files could not be brought up to
	// date, with why; they are tried again at the next change or Sync.
	Failed map[string]string `json:"failed,omitempty"`

	// Ran is whether the command ran (Config.Command is set).
	Ran     bool      `json:"ran"`
	Started time.Time `json:"started"`
	// Duration is how long the command ran.
	Duration time.Duration `json:"duration_ns"`
	// ExitCode is the command's exit status; -1 when it did not exit on
	// its own (killed, or not started).
	ExitCode int `json:"exit_code"`
	// Output is what the command printed (stdout and stderr, in order),
	// at most Config.MaxOutput bytes; Truncated says more was cut.
	Output    string `json:"output,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
	// Err is why the command failed: it wraps ErrCommandFailed,
	// ErrCommandTimeout, or the context's error. Nil on success.
	Err error `json:"-"`
}

// env is the command's environment: the process's, and what changed.
func (h *Hook) env(r *Result) []string {
	var lineages []string
	for _, n := range r.Renewed {
		lineages = append(lineages, h.live(n))
	}
	first := ""
	if len(lineages) > 0 {
		first = lineages[0]
	}
	return append(os.Environ(),
		"CERTS_RENEWED_DOMAINS="+strings.Join(r.Renewed, " "),
		"CERTS_REMOVED_DOMAINS="+strings.Join(r.Removed, " "),
		"CERTS_LINEAGE="+first,
		"CERTS_LINEAGES="+strings.Join(lineages, " "),
		"CERTS_LIVE_DIR="+filepath.Join(h.dir, liveDir),
	)
}

// run runs the command through sh -c for r, within Config.Timeout,
// killing its process group when the time is up or ctx is done.
func (h *Hook) run(ctx context.Context, r *Result) {
	r.Ran, r.Started, r.ExitCode = true, h.now(), -1
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", h.command)
	cmd.Dir = h.dir
	cmd.Env = h.env(r)
	out := &limitedBuffer{max: h.maxOutput}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = waitDelay
	ownProcessGroup(cmd)
	start := time.Now()
	err := cmd.Run()
	r.Duration = time.Since(start)
	r.Output, r.Truncated = out.result()
	if cmd.ProcessState != nil && cmd.ProcessState.Exited() {
		r.ExitCode = cmd.ProcessState.ExitCode()
	}
	r.Err = commandError(ctx, err, r.ExitCode, h.timeout)
}

// waitDelay bounds how long Run waits for the output of what the command
// left running in the background after it exited.
const waitDelay = 2 * time.Second

func commandError(ctx context.Context, err error, code int, timeout time.Duration) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%w (%s)", ErrCommandTimeout, timeout)
	case ctx.Err() != nil:
		return fmt.Errorf("deployhook: the deploy command was stopped: %w", ctx.Err())
	case code > 0:
		return fmt.Errorf("%w: exit status %d; see the output", ErrCommandFailed, code)
	}
	return fmt.Errorf("%w: %w", ErrCommandFailed, err)
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	mu        sync.Mutex
	max       int
	buf       []byte
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.max - len(b.buf)
	if len(p) > room {
		b.truncated = true
		b.buf = append(b.buf, p[:max(room, 0)]...)
	} else {
		b.buf = append(b.buf, p...)
	}
	return len(p), nil
}

func (b *limitedBuffer) result() (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.ToValidUTF8(string(b.buf), "\uFFFD"), b.truncated
}
