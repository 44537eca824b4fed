// Package deployhook keeps certbot-style certificate files current for the
// hostnames of a certs.Manager and runs a command after they change, as
// certbot's --deploy-hook does: for nginx, HAProxy, Postfix, or anything
// that reads PEM files.
//
// For each hostname, Config.Dir holds
//
//	live/<hostname>/fullchain.pem, cert.pem, chain.pem (0644), privkey.pem (0600)
//
// with the hostname's preferred certificate (custom when usable, else
// ACME: the one Manager.Export writes), on every issue, renewal, import
// and removal; a hostname with no certificate left has no live/<hostname>.
// A wildcard's directory is named as the hostname, "*.example.com" (quote
// it in shell scripts).
//
// Switched as a whole: live/<hostname> is a symbolic link to a version
// directory, archive/<hostname>/v-<random>, written and synced completely
// before the link is replaced (a new link renamed over it). Every path
// lookup through live/<hostname> thus finds one complete version, never
// old and new files mixed. A reader that opens two files by path, one
// lookup each, can straddle a switch; one that opens the directory once
// (os.OpenRoot, openat) or resolves the link once reads one version
// throughout. The previous version is kept until the next switch, so that
// such a reader never sees its files vanish. The command runs after the
// switch, so a reload it triggers reads the new files.
//
// After a batch of changes the command runs once through sh -c (a reload
// such as "nginx -t && nginx -s reload"), with the changes in its
// environment: CERTS_RENEWED_DOMAINS and CERTS_REMOVED_DOMAINS (hostnames,
// space-separated, like certbot's RENEWED_DOMAINS), CERTS_LINEAGE (the live
// directory of the first renewed hostname, like RENEWED_LINEAGE),
// CERTS_LINEAGES (all of them) and CERTS_LIVE_DIR. Changes within
// Config.Debounce of the first run the command once. It is killed with
// its process group after Config.Timeout; its output, bounded, goes to
// Config.OnResult and the log.
package deployhook

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/certs-dev/certs"
)

// Config configures a Hook. Manager and Dir are required; the zero value of
// every other field is a documented default.
type Config struct {
	// Manager holds the certificates.
	Manager *certs.Manager
	// Dir is where live/ and archive/ are kept (created 0700), such as
	// /etc/certs. It must be an absolute path.
	Dir string
	// Command runs after the files changed, through sh -c in Dir. Empty
	// runs nothing (the files are still kept current).
	Command string
	// Debounce is how long after a change the command runs: the changes
	// made meanwhile run it once. Zero means 2 seconds.
	Debounce time.Duration
	// Timeout bounds a run of the command. Zero means 1 minute.
	Timeout time.Duration
	// MaxOutput bounds the output kept of a run. Zero means 64 KiB.
	MaxOutput int
	// OnResult, when set, receives every batch of changes and its run,
	// with no lock held.
	OnResult func(Result)
	// Logger receives the logs. Nil means slog.Default().
	Logger *slog.Logger
	// Clock returns the current time (Result.Started). Nil means time.Now.
	Clock func() time.Time
	// After starts the Debounce wait. Nil means time.After; tests inject
	// a channel they fire.
	After func(time.Duration) <-chan time.Time
}

// Hook keeps the files current and runs the command. Its methods are safe
// for concurrent use.
type Hook struct {
	m         *certs.Manager
	dir       string
	command   string
	debounce  time.Duration
	timeout   time.Duration
	maxOutput int
	onResult  func(Result)
	log       *slog.Logger
	now       func() time.Time
	after     func(time.Duration) <-chan time.Time

	work sync.Mutex // serializes writing files and running the command

	mu          sync.Mutex // guards what follows
	dirty       map[string]bool
	pending     Result // changes not yet followed by a run
	closed      bool
	wake        chan struct{}
	done        chan struct{} // closed by Close
	unsubscribe func()
}

// New checks cfg and subscribes to the Manager's events. The files are
// written by Run (or Sync and Flush).
func New(cfg Config) (*Hook, error) {
	switch {
	case cfg.Manager == nil:
		return nil, fmt.Errorf("%w: Manager is required", ErrInvalidConfig)
	case cfg.Dir == "" || !filepath.IsAbs(cfg.Dir):
		return nil, fmt.Errorf("%w: Dir must be an absolute path, such as /etc/certs (got %q)", ErrInvalidConfig, cfg.Dir)
	case cfg.Debounce < 0 || cfg.Timeout < 0 || cfg.MaxOutput < 0:
		return nil, fmt.Errorf("%w: Debounce, Timeout and MaxOutput must not be negative", ErrInvalidConfig)
	}
	h := &Hook{m: cfg.Manager, dir: filepath.Clean(cfg.Dir), command: cfg.Command,
		debounce: orDefault(cfg.Debounce, 2*time.Second), timeout: orDefault(cfg.Timeout, time.Minute),
		maxOutput: orDefault(cfg.MaxOutput, 64<<10), onResult: cfg.OnResult, log: cfg.Logger, now: cfg.Clock,
		after: cfg.After, dirty: map[string]bool{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.after == nil {
		h.after = time.After
	}
	h.unsubscribe = cfg.Manager.Subscribe(h.handle)
	return h, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// handle marks the event's hostname for writing; Run writes it.
func (h *Hook) handle(ev certs.Event) {
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed || ev.Hostname == "" {
		return
	}
	h.mark(ev.Hostname)
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Close stops following the Manager's events and stops Run. The files
// stay. It is safe to call more than once.
func (h *Hook) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	h.unsubscribe()
	close(h.done)
}

// Run brings every lineage up to date (Sync), then writes each change as
// it comes and runs the command Config.Debounce after the first change of
// a batch, until ctx is done (it returns ctx.Err()) or Close is called
// (ErrClosed). Run it once per Hook.
func (h *Hook) Run(ctx context.Context) error {
	if err := h.Sync(ctx); err != nil {
		return err
	}
	var timer <-chan time.Time
	for {
		h.writeDirty(ctx)
		if timer == nil && h.hasPending() {
			timer = h.after(h.debounce)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-h.done:
			return ErrClosed
		case <-h.wake:
		case <-timer:
			timer = nil
			h.writeDirty(ctx) // the changes made until now join the batch
			h.report(h.runPending(ctx))
		}
	}
}

// Flush writes the changes not written yet and, when any batch of changes
// is waiting, runs the command now, ignoring Debounce. It returns the
// Result, or nil when nothing changed.
func (h *Hook) Flush(ctx context.Context) *Result {
	h.writeDirty(ctx)
	r := h.runPending(ctx)
	h.report(r)
	return r
}

// Sync brings every lineage up to date: it writes the files of every
// hostname the Manager holds that differ, and deletes the lineages of
// hostnames it no longer holds (after a restart, or changes made by
// another replica). The changes join the next batch (Run runs the command
// after them; Flush runs it at once). The error is a failure to list.
func (h *Hook) Sync(ctx context.Context) error {
	held := map[string]bool{}
	for cursor := ""; ; {
		page, err := h.m.List(ctx, certs.ListOptions{Cursor: cursor, Limit: 500})
		if err != nil {
			return fmt.Errorf("deployhook: sync: %w", err)
		}
		for _, host := range page.Hosts {
			held[host.Hostname] = true
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	names, err := h.lineages()
	if err != nil {
		return err
	}
	h.mark(names...)
	h.mark(slices.Collect(maps.Keys(held))...)
	h.writeDirty(ctx)
	return nil
}

// mark marks hostnames for writeDirty.
func (h *Hook) mark(hosts ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, host := range hosts {
		h.dirty[host] = true
	}
}

// writeDirty brings the marked hostnames' lineages up to date and adds
// what changed to the pending batch. A hostname that fails stays marked.
func (h *Hook) writeDirty(ctx context.Context) {
	h.work.Lock()
	defer h.work.Unlock()
	h.mu.Lock()
	hosts := slices.Sorted(maps.Keys(h.dirty))
	clear(h.dirty)
	h.mu.Unlock()
	for i, host := range hosts {
		if ctx.Err() != nil { // stopped: the rest wait for the next call
			h.mark(hosts[i:]...)
			return
		}
		c, err := h.deploy(ctx, host)
		h.mu.Lock()
		h.pending.add(host, c, err)
		if err != nil && ctx.Err() == nil {
			h.dirty[host] = true
		}
		h.mu.Unlock()
		if err != nil {
			h.log.Error("deployhook: cannot update the files of a hostname", "hostname", host, "error", err)
		}
	}
}

// add records host's outcome in the batch: the last change of a hostname
// counts (written, then removed, is removed); no change keeps the last.
func (r *Result) add(host string, c change, err error) {
	delete(r.Failed, host)
	if c != unchanged {
		r.Renewed = slices.DeleteFunc(r.Renewed, func(n string) bool { return n == host })
		r.Removed = slices.DeleteFunc(r.Removed, func(n string) bool { return n == host })
	}
	switch {
	case err != nil:
		if r.Failed == nil {
			r.Failed = map[string]string{}
		}
		r.Failed[host] = err.Error()
	case c == written:
		r.Renewed = append(r.Renewed, host)
	case c == removed:
		r.Removed = append(r.Removed, host)
	}
}

func (h *Hook) hasPending() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.pending.Renewed)+len(h.pending.Removed) > 0
}

// runPending takes the pending batch and runs the command for it; nil when
// nothing changed.
func (h *Hook) runPending(ctx context.Context) *Result {
	h.work.Lock()
	defer h.work.Unlock()
	h.mu.Lock()
	r := h.pending
	h.pending = Result{}
	h.mu.Unlock()
	if len(r.Renewed)+len(r.Removed) == 0 {
		h.mu.Lock()
		h.pending.Failed = r.Failed // nothing to run for: failures wait for a change
		h.mu.Unlock()
		return nil
	}
	slices.Sort(r.Renewed)
	slices.Sort(r.Removed)
	r.ExitCode = -1
	if h.command != "" {
		h.run(ctx, &r)
	}
	return &r
}

// report logs r and hands it to OnResult, with no lock held.
func (h *Hook) report(r *Result) {
	if r == nil {
		return
	}
	attrs := []any{"renewed", r.Renewed, "removed", r.Removed}
	if len(r.Failed) > 0 {
		attrs = append(attrs, "failed", r.Failed)
	}
	switch {
	case !r.Ran:
		h.log.Info("deployhook: files updated", attrs...)
	case r.Err != nil:
		h.log.Error("deployhook: deploy command failed", append(attrs, "exit_code", r.ExitCode,
			"duration", r.Duration, "output", r.Output, "truncated", r.Truncated, "error", r.Err)...)
	default:
		h.log.Info("deployhook: deploy command ran", append(attrs, "exit_code", r.ExitCode,
			"duration", r.Duration, "output", r.Output, "truncated", r.Truncated)...)
	}
	if h.onResult != nil {
		h.onResult(*r)
	}
}
