package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultLockTTL is the FS lock time-to-live used when FS.LockTTL is zero.
const DefaultLockTTL = 2 * time.Minute

// minLockTTL is the shortest lock time-to-live used: shorter values of
// FS.LockTTL are raised to it.
const minLockTTL = 30 * time.Millisecond

const (
	// removalPrefix names the marker a process must create (O_EXCL) before
	// it removes a lock file; see removeLockFile.
	removalPrefix  = "+rm-"
	keyLockPrefix  = "+k+"
	hashLockPrefix = "+h+"
	lockSuffix     = ".lock"
)

// lockInfo is the content of a lock file. Token makes every lock file's
// content, and so its identity (the hash of the content), unique. Boot,
// PIDNS and Start identify the holder's process beyond its PID (see
// process); they are empty outside Linux and in lock files of older
// versions.
type lockInfo struct {
	Name     string    `json:"name"`
	PID      int       `json:"pid"`
	Host     string    `json:"host"`
	Boot     string    `json:"boot,omitempty"`
	PIDNS    string    `json:"pidns,omitempty"`
	Start    uint64    `json:"start,omitempty"`
	Acquired time.Time `json:"acquired"`
	Token    string    `json:"token"`
}

// Lock acquires the lock called name (a record name or a blob key) among
// every process and goroutine using the store's directory. It blocks,
// polling every 50-150 ms, until the lock is held or ctx is done, in which
// case it returns ctx.Err(). The returned unlock function releases the lock
// and may be called more than once.
//
// The lock is the file locks/<name>.lock, created with O_EXCL and holding
// the holder's pid, hostname and acquisition time. While the lock is held a
// goroutine touches the file every LockTTL/3. A lock file not touched for
// LockTTL is stale (its holder crashed) and is taken over. Like every lease,
// this assumes roughly synchronized clocks between hosts sharing the
// directory, and a holder stalled for longer than LockTTL loses the lock
// without noticing.
//
// On Linux the lock file also records the holder's boot ID, PID namespace
// and process start time, and a waiter of the same host, boot and PID
// namespace takes the lock over at once, without waiting for LockTTL, when
// the holder's process is gone (killed, crashed, a zombie, or its PID now
// used by a process started later). Holders on other hosts, in other
// containers, or that wrote lock files without this identity, are only
// taken over after LockTTL.
func (s *FS) Lock(ctx context.Context, name string) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path, err := s.lockPath(name)
	if err != nil {
		return nil, err
	}
	ttl := s.lockTTL()
	host, _ := os.Hostname()
	me := waiter{host: host, proc: selfProcess()}
	content, _ := json.Marshal(lockInfo{ // cannot fail: plain fields
		Name: name, PID: os.Getpid(), Host: host, Boot: me.proc.Boot, PIDNS: me.proc.PIDNS, Start: me.proc.Start,
		Acquired: time.Now().UTC(), Token: randomHex(16),
	})
	for {
		ok, err := createLockFile(path, content)
		if err != nil {
			return nil, fmt.Errorf("store: lock %s: %w; check that %s is writable", name, err, filepath.Dir(path))
		}
		if ok {
			return s.hold(path, content, ttl), nil
		}
		if breakStaleLock(path, ttl, me) {
			continue // retry at once
		}
		poll := min(50*time.Millisecond+rand.N(100*time.Millisecond), ttl/3)
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// lockTTL returns the effective lock time-to-live.
func (s *FS) lockTTL() time.Duration {
	if s.LockTTL == 0 {
		return DefaultLockTTL
	}
	return max(s.LockTTL, minLockTTL)
}

// lockPath returns the lock file of the lock called name. Record names keep
// their directory encoding, blob keys get a "+k+" prefix with '/' as '+',
// and names too long for a file name are hashed. Two names sharing a file
// (possible only on a case-insensitive filesystem, or through a hash
// collision) would merely exclude each other.
func (s *FS) lockPath(name string) (string, error) {
	var base string
	switch {
	case checkName(name) == nil:
		base = encodeName(name)
	case checkKey(name) == "":
		base = keyLockPrefix + strings.ReplaceAll(name, "/", "+")
	default:
		return "", checkLockName(name)
	}
	if len(base) > 240 {
		sum := sha256.Sum256([]byte(name))
		base = hashLockPrefix + hex.EncodeToString(sum[:20])
	}
	return s.inside(filepath.Join(s.dir, locksDir, base+lockSuffix))
}

// hold starts refreshing the lock file at path and returns its unlock
// function.
func (s *FS) hold(path string, content []byte, ttl time.Duration) func() {
	stop := make(chan struct{})
	done := make(chan struct{})
	id := identity(content)
	go func() {
		defer close(done)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if !refreshLockFile(path, id) {
					return // taken over: nothing left to refresh
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			removeLockFile(path, id, ttl)
		})
	}
}

// createLockFile creates the lock file at path holding content, and reports
// false if it exists already.
func createLockFile(path string, content []byte) (bool, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(path, filePerm)
	}
	if err != nil {
		os.Remove(path)
		return false, err
	}
	return true, nil
}

// refreshLockFile touches the lock file at path if it is still the one
// whose content has identity id, and reports whether it was.
func refreshLockFile(path, id string) bool {
	b, err := os.ReadFile(path)
	if err != nil || identity(b) != id {
		return false
	}
	now := time.Now()
	return os.Chtimes(path, now, now) == nil
}

// breakStaleLock removes the lock file at path if it has not been touched
// for ttl, or if w can tell that its holder is gone, and reports whether it
// did.
func breakStaleLock(path string, ttl time.Duration, w waiter) bool {
	// Read, then stat: if the stat shows a stale file, that file existed
	// before the read, so the content read is the stale file's. A holder
	// found gone is the one named in the content read, and removeLockFile
	// removes only the file with that content.
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	fi, err := os.Stat(path)
	if err != nil || (time.Since(fi.ModTime()) < ttl && !w.holderGone(b)) {
		return false
	}
	return removeLockFile(path, identity(b), ttl)
}

// removeLockFile removes the lock file at path if its content still has
// identity id, and reports whether it did. The owner releasing its lock and the waiters breaking a
// stale one all go through here.
//
// Removing by path is only safe if the file cannot change between the
// identity check and the removal. A file at path changes only when it is
// removed (creation is O_EXCL), and every remover of the file with identity
// id must first create the marker "+rm-<id>" with O_EXCL. So while we hold
// the marker, the file we checked stays in place, and at most one process
// removes it: two waiters cannot both break the same stale lock and then
// both create a new one, and a late waiter cannot remove the new holder's
// file. A marker left by a crash is removed once it is older than ttl.
func removeLockFile(path, id string, ttl time.Duration) bool {
	marker := filepath.Join(filepath.Dir(path), removalPrefix+id)
	m, err := os.OpenFile(marker, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		if fi, serr := os.Stat(marker); serr == nil && time.Since(fi.ModTime()) > ttl {
			os.Remove(marker)
		}
		return false
	}
	m.Close()
	defer os.Remove(marker)
	b, err := os.ReadFile(path)
	if err != nil || identity(b) != id {
		return false
	}
	return os.Remove(path) == nil
}

// identity names a lock file by its content, which is unique per lock
// acquisition.
func identity(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:16])
}
