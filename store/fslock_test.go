package store

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFSLockFile(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	unlock, err := s.Lock(context.Background(), "*.example.com")
	require.NoError(t, err)
	p := filepath.Join(s.Dir(), "locks", "+.example.com.lock")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	var info lockInfo
	require.NoError(t, json.Unmarshal(b, &info))
	host, _ := os.Hostname()
	require.Equal(t, "*.example.com", info.Name)
	require.Equal(t, os.Getpid(), info.PID)
	require.Equal(t, host, info.Host)
	require.WithinDuration(t, time.Now(), info.Acquired, time.Minute)
	unlock()
	require.NoFileExists(t, p)
	entries, err := os.ReadDir(filepath.Join(s.Dir(), "locks"))
	require.NoError(t, err)
	require.Empty(t, entries, "unlock left files behind")
}

func TestFSLockPaths(t *testing.T) {
	t.Parallel()
	s := &FS{dir: "/store"}
	long := strings.Repeat("segment/", 30) + "end"
	for name, want := range map[string]string{
		"example.com":       "/store/locks/example.com.lock",
		"*.example.com":     "/store/locks/+.example.com.lock",
		"acme/account.json": "/store/locks/+k+acme+account.json.lock",
		"Upper":             "/store/locks/+k+Upper.lock",
	} {
		got, err := s.lockPath(name)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	got, err := s.lockPath(long)
	require.NoError(t, err)
	require.Regexp(t, `^/store/locks/\+h\+[0-9a-f]{40}\.lock$`, got)
}

// plantStaleLock writes a lock file as a crashed process would have left
// it, last touched age ago.
func plantStaleLock(t *testing.T, s *FS, name string, age time.Duration) string {
	t.Helper()
	p, err := s.lockPath(name)
	require.NoError(t, err)
	b, err := json.Marshal(lockInfo{Name: name, PID: 999999, Host: "dead-host", Acquired: time.Now().Add(-age), Token: randomHex(16)})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, b, 0o600))
	old := time.Now().Add(-age)
	require.NoError(t, os.Chtimes(p, old, old))
	return p
}

func TestFSLockStaleRecovered(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	s.LockTTL = 300 * time.Millisecond
	p := plantStaleLock(t, s, "example.com", time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	unlock, err := s.Lock(ctx, "example.com")
	require.NoError(t, err)
	require.Less(t, time.Since(start), 2*time.Second)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	var info lockInfo
	require.NoError(t, json.Unmarshal(b, &info))
	require.Equal(t, os.Getpid(), info.PID, "the lock file is not ours")
	unlock()
}

func TestFSLockFreshNotTakenOver(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	holder, err := NewFS(dir)
	require.NoError(t, err)
	waiter, err := NewFS(dir)
	require.NoError(t, err)
	holder.LockTTL, waiter.LockTTL = 300*time.Millisecond, 300*time.Millisecond
	unlock, err := holder.Lock(context.Background(), "example.com")
	require.NoError(t, err)
	// Held for 3 TTLs: the holder's refreshes keep it from going stale.
	ctx, cancel := context.WithTimeout(context.Background(), 900*time.Millisecond)
	defer cancel()
	_, err = waiter.Lock(ctx, "example.com")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	unlock()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	u2, err := waiter.Lock(ctx2, "example.com")
	require.NoError(t, err)
	u2()
}

// TestFSLockStaleRace has many waiters, through two FS values, race to take
// over the same stale lock, again and again: exactly one may win each time.
func TestFSLockStaleRace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := NewFS(dir)
	require.NoError(t, err)
	b, err := NewFS(dir)
	require.NoError(t, err)
	a.LockTTL, b.LockTTL = 500*time.Millisecond, 500*time.Millisecond
	const waiters = 8
	for round := range 10 {
		plantStaleLock(t, a, "race.example.com", time.Second)
		var holders, maxHolders, done atomic.Int32
		var wg sync.WaitGroup
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		start := make(chan struct{}) // so that the waiters find the stale file together
		for g := range waiters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := []*FS{a, b}[g%2]
				<-start
				unlock, err := s.Lock(ctx, "race.example.com")
				if err != nil {
					return
				}
				if n := holders.Add(1); n > maxHolders.Load() {
					maxHolders.Store(n)
				}
				time.Sleep(2 * time.Millisecond)
				holders.Add(-1)
				done.Add(1)
				unlock()
			}()
		}
		close(start)
		wg.Wait()
		cancel()
		require.Equal(t, int32(waiters), done.Load(), "round %d: a waiter never got the lock", round)
		require.Equal(t, int32(1), maxHolders.Load(), "round %d: two holders at once", round)
	}
}

func TestFSLockCancel(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	unlock, err := s.Lock(context.Background(), "example.com")
	require.NoError(t, err)
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	_, err = s.Lock(ctx, "example.com")
	require.Equal(t, context.Canceled, err, "Lock must return ctx.Err() itself")
}

// TestFSLockLostIsNotRemoved checks that a holder whose lock was taken over
// (it stalled past the TTL) does not remove the new holder's file on unlock.
func TestFSLockLostIsNotRemoved(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	s.LockTTL = 300 * time.Millisecond
	unlock, err := s.Lock(context.Background(), "example.com")
	require.NoError(t, err)
	p, err := s.lockPath("example.com")
	require.NoError(t, err)
	// Another process takes the lock over.
	require.NoError(t, os.Remove(p))
	other := []byte(`{"name":"example.com","pid":1,"token":"other"}`)
	require.NoError(t, os.WriteFile(p, other, 0o600))
	time.Sleep(200 * time.Millisecond) // let the refresher notice
	unlock()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, string(other), string(b), "unlock removed or touched another holder's lock file")
}

// TestRemoveLockFile checks the identity check that makes taking over a
// stale lock safe: a waiter that saw the stale file must not remove a file
// that replaced it, and only one remover of a given file may proceed.
func TestRemoveLockFile(t *testing.T) {
	t.Parallel()
	ttl := time.Minute
	setup := func(t *testing.T) (dir, path string, content []byte) {
		dir = t.TempDir()
		path = filepath.Join(dir, "x.lock")
		content = []byte(`{"token":"first"}`)
		require.NoError(t, os.WriteFile(path, content, 0o600))
		return dir, path, content
	}
	t.Run("removes the file it identified", func(t *testing.T) {
		dir, path, content := setup(t)
		require.True(t, removeLockFile(path, identity(content), ttl))
		require.NoFileExists(t, path)
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		require.Empty(t, entries, "marker left behind")
	})
	t.Run("keeps a file that replaced it", func(t *testing.T) {
		_, path, content := setup(t)
		require.NoError(t, os.Remove(path))
		require.NoError(t, os.WriteFile(path, []byte(`{"token":"second"}`), 0o600))
		require.False(t, removeLockFile(path, identity(content), ttl))
		require.FileExists(t, path)
	})
	t.Run("one remover at a time", func(t *testing.T) {
		dir, path, content := setup(t)
		marker := filepath.Join(dir, removalPrefix+identity(content))
		require.NoError(t, os.WriteFile(marker, nil, 0o600)) // another remover is at work
		require.False(t, removeLockFile(path, identity(content), ttl))
		require.FileExists(t, path)
		require.FileExists(t, marker, "a fresh marker was removed")
	})
	t.Run("a marker left by a crash expires", func(t *testing.T) {
		dir, path, content := setup(t)
		marker := filepath.Join(dir, removalPrefix+identity(content))
		require.NoError(t, os.WriteFile(marker, nil, 0o600))
		old := time.Now().Add(-2 * ttl)
		require.NoError(t, os.Chtimes(marker, old, old))
		require.False(t, removeLockFile(path, identity(content), ttl))
		require.NoFileExists(t, marker)
		require.True(t, removeLockFile(path, identity(content), ttl))
	})
	t.Run("a fresh lock is not broken", func(t *testing.T) {
		_, path, _ := setup(t)
		require.False(t, breakStaleLock(path, ttl, waiter{}))
		require.FileExists(t, path)
		old := time.Now().Add(-2 * ttl)
		require.NoError(t, os.Chtimes(path, old, old))
		require.True(t, breakStaleLock(path, ttl, waiter{}))
		require.NoFileExists(t, path)
	})
}

func TestFSLockTTL(t *testing.T) {
	t.Parallel()
	for ttl, want := range map[time.Duration]time.Duration{
		0:                DefaultLockTTL,
		-time.Second:     minLockTTL,
		time.Nanosecond:  minLockTTL,
		time.Second:      time.Second,
		10 * time.Minute: 10 * time.Minute,
	} {
		s := &FS{LockTTL: ttl}
		require.Equal(t, want, s.lockTTL(), "LockTTL %v", ttl)
	}
	// A tiny TTL must not make the refresher panic or spin.
	s := newTestFS(t)
	s.LockTTL = time.Nanosecond
	unlock, err := s.Lock(context.Background(), "example.com")
	require.NoError(t, err)
	time.Sleep(50 * time.Millisecond)
	unlock()
}
