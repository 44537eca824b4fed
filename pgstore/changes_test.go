package pgstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// TestChanges: every write of a record, through the store or by hand in
// SQL, is one change, in order, with its version; blobs are not in the
// feed.
func TestChanges(t *testing.T) {
	t.Parallel()
	dsn, db := newDB(t)
	s := newStoreDSN(t, dsn, Config{})
	ctx := ctxT(t)
	require.NoError(t, s.Put(ctx, &store.Record{Name: "a.test"}))
	require.NoError(t, s.Put(ctx, &store.Record{Name: "a.test", Data: []byte("2")}))
	require.NoError(t, s.PutBlob(ctx, "acme/account.json", []byte("{}")))
	require.NoError(t, s.Put(ctx, &store.Record{Name: "b.test"}))
	require.NoError(t, s.Delete(ctx, "a.test"))
	require.NoError(t, s.Delete(ctx, "missing.test")) // nothing deleted, no change
	adminExec(t, db, "UPDATE certs.records SET data = 'by hand' WHERE name = 'b.test'")
	adminExec(t, db, "TRUNCATE certs.records")

	all, err := s.Changes(ctx, 0, 0)
	require.NoError(t, err)
	type op struct {
		Seq  int64
		Name string
		Op   Op
	}
	var got []op
	for _, c := range all {
		got = append(got, op{c.Seq, c.Name, c.Op})
		require.WithinDuration(t, time.Now(), c.At, time.Minute)
	}
	require.Equal(t, []op{
		{1, "a.test", OpPut}, {2, "a.test", OpPut}, {3, "b.test", OpPut},
		{4, "a.test", OpDelete}, {5, "b.test", OpPut}, {6, "", OpReset},
	}, got)
	require.Less(t, all[0].Version, all[1].Version)
	require.Equal(t, all[1].Version, all[3].Version, "a delete carries the version deleted")

	for _, tc := range []struct {
		since    int64
		limit    int
		wantSeqs []int64
	}{
		{0, 2, []int64{1, 2}},
		{2, 2, []int64{3, 4}},
		{5, 10, []int64{6}},
		{6, 10, nil},
		{100, 10, nil},
	} {
		page, err := s.Changes(ctx, tc.since, tc.limit)
		require.NoError(t, err)
		var seqs []int64
		for _, c := range page {
			seqs = append(seqs, c.Seq)
		}
		require.Equal(t, tc.wantSeqs, seqs, "since %d limit %d", tc.since, tc.limit)
	}
	last, err := s.LastChange(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 6, last)
	res, err := s.List(ctx, store.ListOptions{})
	require.NoError(t, err)
	require.Zero(t, res.Total, "Total after TRUNCATE")
	for _, bad := range [][2]int{{-1, 10}, {0, -1}, {0, MaxChanges + 1}} {
		_, err := s.Changes(ctx, int64(bad[0]), bad[1])
		require.Error(t, err, "since %d limit %d", bad[0], bad[1])
	}
}

// TestChangesConcurrentWriters: writers on several stores at once produce
// a gapless feed with one change per write, in commit order, and Total
// stays exact.
func TestChangesConcurrentWriters(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	stores := []*Store{newStoreDSN(t, dsn, Config{}), newStoreDSN(t, dsn, Config{})}
	ctx := ctxT(t)
	const writers, writes = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[w%len(stores)]
			for i := range writes {
				name := fmt.Sprintf("w%d-%d.test", w, i%5)
				err := s.Put(ctx, &store.Record{Name: name})
				if err == nil && i%3 == 0 {
					err = s.Delete(ctx, name)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var seqs []int64
	live := map[string]bool{}
	for since := int64(0); ; {
		page, err := stores[0].Changes(ctx, since, 37)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			seqs = append(seqs, c.Seq)
			live[c.Name] = c.Op == OpPut
			since = c.Seq
		}
	}
	deletes := writers * ((writes + 2) / 3)
	require.Len(t, seqs, writers*writes+deletes)
	for i, seq := range seqs {
		require.EqualValues(t, i+1, seq, "the feed has a gap or is out of order")
	}
	n := 0
	for _, alive := range live {
		if alive {
			n++
		}
	}
	res, err := stores[1].List(ctx, store.ListOptions{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, n, res.Total, "Total agrees with the feed")
}

// TestPruneChanges: pruning drops a prefix; readers behind it get
// ErrChangesPruned, readers after it go on.
func TestPruneChanges(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := ctxT(t)
	for i := range 3 {
		require.NoError(t, s.Put(ctx, &store.Record{Name: fmt.Sprintf("h%d.test", i)}))
	}
	cut := time.Now()
	time.Sleep(10 * time.Millisecond)
	require.NoError(t, s.Put(ctx, &store.Record{Name: "late.test"}))
	n, err := s.PruneChanges(ctx, cut)
	require.NoError(t, err)
	require.EqualValues(t, 3, n)

	_, err = s.Changes(ctx, 1, 10)
	require.ErrorIs(t, err, ErrChangesPruned)
	var pe *PrunedError
	require.ErrorAs(t, err, &pe)
	require.EqualValues(t, 3, pe.PrunedThrough)
	page, err := s.Changes(ctx, 3, 10)
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, "late.test", page[0].Name)
	err = s.Watch(ctx, 0, func(Change) error { return nil })
	require.ErrorIs(t, err, ErrChangesPruned)
	n, err = s.PruneChanges(ctx, cut)
	require.NoError(t, err)
	require.Zero(t, n, "pruning again")
}

// watchInto runs Watch in the background, sending every change to the
// returned channel; the returned function stops it and returns Watch's
// error.
func watchInto(t *testing.T, s *Store, since int64) (<-chan Change, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan Change, 100)
	done := make(chan error, 1)
	go func() { done <- s.Watch(ctx, since, func(c Change) error { ch <- c; return nil }) }()
	var once sync.Once
	var err error
	stop := func() error { once.Do(func() { cancel(); err = <-done }); return err }
	t.Cleanup(func() { _ = stop() })
	return ch, stop
}

// next waits for the next change, at most within.
func next(t *testing.T, ch <-chan Change, within time.Duration) Change {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(within):
		t.Fatalf("no change within %s", within)
		return Change{}
	}
}

// TestWatch: Watch delivers what is in the feed after since, then wakes on
// the notification of each new write at once (the poll interval is an
// hour), and returns when its context ends.
func TestWatch(t *testing.T) {
	t.Parallel()
	s := newStoreDSN(t, mustDSN(t), Config{PollInterval: time.Hour})
	ctx := ctxT(t)
	require.NoError(t, s.Put(ctx, &store.Record{Name: "before.test"}))
	require.NoError(t, s.Put(ctx, &store.Record{Name: "skipped.test"}))
	ch, stop := watchInto(t, s, 1)
	require.Equal(t, "skipped.test", next(t, ch, 5*time.Second).Name)
	for i := range 3 {
		start := time.Now()
		name := fmt.Sprintf("new%d.test", i)
		require.NoError(t, s.Put(ctx, &store.Record{Name: name}))
		c := next(t, ch, 5*time.Second)
		require.Equal(t, name, c.Name)
		t.Logf("change %d delivered %s after the write", c.Seq, time.Since(start))
	}
	require.ErrorIs(t, stop(), context.Canceled)
}

// TestWatchPollsWithoutNotifications: with notifications lost (here: no
// writer notifies the channel Watch listens on), Watch still delivers
// every change within the poll interval.
func TestWatchPollsWithoutNotifications(t *testing.T) {
	t.Parallel()
	s := newStoreDSN(t, mustDSN(t), Config{PollInterval: 200 * time.Millisecond})
	s.channel = "nobody_notifies_this"
	ch, _ := watchInto(t, s, 0)
	ctx := ctxT(t)
	for i := range 3 {
		name := fmt.Sprintf("polled%d.test", i)
		require.NoError(t, s.Put(ctx, &store.Record{Name: name}))
		require.Equal(t, name, next(t, ch, 5*time.Second).Name)
	}
}

// TestWatchListenerEnded: the server ends Watch's listening connection;
// Watch logs it, keeps delivering by polling, and listens again.
func TestWatchListenerEnded(t *testing.T) {
	t.Parallel()
	dsn, db := newDB(t)
	logs := &logRecorder{}
	s := newStoreDSN(t, dsn, Config{PollInterval: 300 * time.Millisecond, Logger: slogTo(logs)})
	ch, _ := watchInto(t, s, 0)
	ctx := ctxT(t)
	require.NoError(t, s.Put(ctx, &store.Record{Name: "first.test"}))
	require.Equal(t, "first.test", next(t, ch, 5*time.Second).Name)
	admin := adminConn(t, db)
	tag, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")
	require.NoError(t, err)
	require.EqualValues(t, 1, tag.RowsAffected())
	require.NoError(t, s.Put(ctx, &store.Record{Name: "second.test"}))
	require.Equal(t, "second.test", next(t, ch, 5*time.Second).Name)
	require.Eventually(t, func() bool { return len(logs.matching("lost its notification connection")) == 1 }, 5*time.Second, 50*time.Millisecond, logs.all())
	var listeners int
	require.Eventually(t, func() bool {
		return admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'").Scan(&listeners) == nil && listeners == 1
	}, 5*time.Second, 50*time.Millisecond, "Watch listens again")
}

// TestWatchEnds: Watch returns fn's error as is, and ErrClosed when the
// store is closed.
func TestWatchEnds(t *testing.T) {
	t.Parallel()
	s := newStoreDSN(t, mustDSN(t), Config{PollInterval: time.Hour})
	ctx := ctxT(t)
	require.NoError(t, s.Put(ctx, &store.Record{Name: "a.test"}))
	stopErr := errors.New("enough")
	require.Equal(t, stopErr, s.Watch(ctx, 0, func(Change) error { return stopErr }))

	done := make(chan error, 1)
	go func() { done <- s.Watch(ctx, 1, func(Change) error { return nil }) }()
	time.Sleep(200 * time.Millisecond)
	s.Close()
	select {
	case err := <-done:
		require.ErrorIs(t, err, ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Watch did not end on Close")
	}
}

// mustDSN returns the DSN of a fresh database.
func mustDSN(t *testing.T) string {
	dsn, _ := newDB(t)
	return dsn
}
