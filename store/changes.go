package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// A ChangeFeed is a Store that reports the record changes made by every
// process sharing it, so that each replica serves what another one stored
// without being told. The Manager follows it while its scheduler runs.
//
// Follow calls fn for each change after position since, in order, until
// ctx is done (then it returns ctx.Err()) or fn fails. A change may be
// reported more than once, and a burst of changes to one record may be
// reported as one; a Change with Reset set means that changes were lost
// (the feed was pruned, or a poller restarted) and everything must be
// read again. Follow returns ErrNoChangeFeed when the Store (for example
// an Encrypted store over a backend without one) cannot report changes.
type ChangeFeed interface {
	// LastChange returns the position of the newest change, to follow
	// from after loading everything.
	LastChange(ctx context.Context) (int64, error)
	Follow(ctx context.Context, since int64, fn func(Change) error) error
}

// Change is one change of a ChangeFeed.
type Change struct {
	// Seq is the change's position; Follow resumes after it.
	Seq int64
	// Name is the record's name; empty with Reset.
	Name string
	// Deleted says the record was deleted.
	Deleted bool
	// Reset says changes may have been missed: read everything again.
	Reset bool
}

// ErrNoChangeFeed is returned by Follow of a Store that cannot report
// changes.
var ErrNoChangeFeed = errors.New("store: this store reports no changes; call the Manager's ReloadHostname or Reload when another process changes it")

var (
	_ ChangeFeed = (*FS)(nil)
	_ ChangeFeed = (*encrypted)(nil)
)

// DefaultPollInterval is how often FS.Follow looks for changes when
// FS.PollInterval is zero.
const DefaultPollInterval = time.Second

// LastChange returns the current time: FS positions are times (Unix
// nanoseconds), and Follow reports the records written after since.
func (s *FS) LastChange(context.Context) (int64, error) { return time.Now().UnixNano(), nil }

// Follow polls the store's directory every PollInterval (one stat of each
// record file; a poll of a store so large that it takes more than a
// quarter of the interval waits four times its length instead). Its first poll reports the records written after since (a
// time, as LastChange returns it); each later poll reports every record
// written or deleted since the poll before.
func (s *FS) Follow(ctx context.Context, since int64, fn func(Change) error) error {
	every := s.PollInterval
	if every <= 0 {
		every = DefaultPollInterval
	}
	seen := map[string]stamp{}
	first := true
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		start := time.Now()
		now, err := s.stamps()
		if err == nil {
			changes := diffStamps(seen, now)
			if first { // file times lag the clock a little: look a bit earlier
				changes = writtenAfter(now, time.Unix(0, since).Add(-fileTimeSlack))
			}
			for _, c := range changes {
				c.Seq = time.Now().UnixNano()
				if err := fn(c); err != nil {
					return err
				}
			}
			seen, first = now, false
		} // else a passing error: look again at the next tick
		t.Reset(pollPause(every, time.Since(start)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// pollPause is how long Follow waits before its next poll: the poll
// interval, or four times as long as the last poll took when that is
// longer, so that polling a large store takes at most a fifth of one core.
func pollPause(every, took time.Duration) time.Duration {
	return max(every, 4*took)
}

// fileTimeSlack is how much earlier than a position Follow's first poll
// looks: file times come from a coarse clock that lags time.Now. Reporting
// a record once too often is harmless.
const fileTimeSlack = 2 * time.Second

// writtenAfter returns a change for each record written after t.
func writtenAfter(stamps map[string]stamp, t time.Time) []Change {
	var out []Change
	for name, st := range stamps {
		if st.mod.After(t) {
			out = append(out, Change{Name: name})
		}
	}
	return out
}

// stamp is what tells that a record file changed.
type stamp struct {
	mod  time.Time
	size int64
}

// stamps returns the stamp of every record file.
func (s *FS) stamps() (map[string]stamp, error) {
	root := filepath.Join(s.dir, hostsDir)
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	out := make(map[string]stamp, len(entries))
	for _, e := range entries {
		name, ok := decodeName(e.Name())
		if !ok {
			continue
		}
		fi, err := os.Stat(filepath.Join(root, e.Name(), recordFile))
		if err != nil {
			continue // being written or deleted: the next poll sees it
		}
		out[name] = stamp{mod: fi.ModTime(), size: fi.Size()}
	}
	return out, nil
}

// diffStamps returns the changes from before to after.
func diffStamps(before, after map[string]stamp) []Change {
	var out []Change
	for name, st := range after {
		if old, ok := before[name]; !ok || old != st {
			out = append(out, Change{Name: name})
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			out = append(out, Change{Name: name, Deleted: true})
		}
	}
	return out
}

// LastChange asks the inner store; ErrNoChangeFeed when it has no feed.
func (e *encrypted) LastChange(ctx context.Context) (int64, error) {
	if cf, ok := e.inner.(ChangeFeed); ok {
		return cf.LastChange(ctx)
	}
	return 0, ErrNoChangeFeed
}

// Follow follows the inner store's feed; ErrNoChangeFeed when it has none.
func (e *encrypted) Follow(ctx context.Context, since int64, fn func(Change) error) error {
	if cf, ok := e.inner.(ChangeFeed); ok {
		return cf.Follow(ctx, since, fn)
	}
	return ErrNoChangeFeed
}
