package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// testConcurrent runs many goroutines writing, reading, listing and
// deleting overlapping records and blobs. Each written record carries its
// value twice (Data and a secret), so a torn or mixed read shows up.
func testConcurrent(t *testing.T, newStore func(t *testing.T) store.Store) {
	s := newStore(t)
	ctx := context.Background()
	const goroutines, iterations = 8, 25
	names := []string{"a.example.com", "b.example.com", "*.example.com", "c.test"}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*iterations)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range iterations {
				name := names[(g+i)%len(names)]
				val := []byte(fmt.Sprintf("g%d-i%d", g, i))
				if err := concurrentStep(ctx, s, name, val, i); err != nil {
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
}

// concurrentStep does one round of operations and checks what it reads.
func concurrentStep(ctx context.Context, s store.Store, name string, val []byte, i int) error {
	rec := &store.Record{Name: name, Data: val, Secrets: map[string][]byte{"k": val}, UpdatedAt: time.Now()}
	if err := s.Put(ctx, rec); err != nil {
		return err
	}
	got, err := s.Get(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound): // deleted by another goroutine
	case err != nil:
		return err
	case string(got.Data) != string(got.Secrets["k"]) || got.Name != name:
		return fmt.Errorf("torn record %s: data %q, secret %q", got.Name, got.Data, got.Secrets["k"])
	}
	if err := s.PutBlob(ctx, "shared/"+name[len(name)-4:], val); err != nil {
		return err
	}
	if _, err := s.GetBlob(ctx, "shared/"+name[len(name)-4:]); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	switch i % 5 {
	case 0:
		return s.Delete(ctx, name)
	case 1:
		res, err := s.List(ctx, store.ListOptions{Limit: 2, Sort: store.SortByName})
		if err != nil {
			return err
		}
		for _, r := range res.Records {
			if string(r.Data) != string(r.Secrets["k"]) {
				return fmt.Errorf("torn record in List %s", r.Name)
			}
		}
	}
	return nil
}

// testLocker checks mutual exclusion, cancellation and idempotent unlock
// for stores that are Lockers.
func testLocker(t *testing.T, newStore func(t *testing.T) store.Store) {
	s := newStore(t)
	l, ok := s.(store.Locker)
	if !ok {
		t.Skip("the store is not a store.Locker")
	}
	ctx := context.Background()
	t.Run("mutual exclusion", func(t *testing.T) {
		RunMutualExclusion(t, []store.Locker{l}, "lock.example.com", 4, 3)
	})
	t.Run("cancellation while held", func(t *testing.T) {
		unlock, err := l.Lock(ctx, "held.example.com")
		require.NoError(t, err)
		defer unlock()
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = l.Lock(short, "held.example.com")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond)
	})
	t.Run("different names do not block", func(t *testing.T) {
		unlock, err := l.Lock(ctx, "a.example.com")
		require.NoError(t, err)
		defer unlock()
		short, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		for _, name := range []string{"b.example.com", "*.a.example.com", "acme/account.json"} {
			u, err := l.Lock(short, name)
			require.NoError(t, err, name)
			u()
		}
	})
	t.Run("unlock is idempotent", func(t *testing.T) {
		first, err := l.Lock(ctx, "idem.example.com")
		require.NoError(t, err)
		first()
		second, err := l.Lock(ctx, "idem.example.com")
		require.NoError(t, err)
		defer second()
		first() // must not release the second holder's lock
		short, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		defer cancel()
		_, err = l.Lock(short, "idem.example.com")
		require.ErrorIs(t, err, context.DeadlineExceeded, "a repeated unlock released another holder's lock")
	})
	t.Run("invalid names", func(t *testing.T) {
		for _, name := range []string{"", "../x", "a\x00b", "/abs"} {
			_, err := l.Lock(ctx, name)
			require.ErrorIs(t, err, store.ErrInvalidName, name)
		}
	})
}

// RunMutualExclusion has goroutines hold the lock called name through the
// given lockers in turn (goroutine i uses lockers[i%len(lockers)]), each
// acquiring it rounds times, and fails if two ever hold it at once. Pass
// several Lockers sharing one backend (for example two FS values on one
// directory) to check exclusion between them.
func RunMutualExclusion(t *testing.T, lockers []store.Locker, name string, goroutines, rounds int) {
	t.Helper()
	var holders, maxHolders, acquired atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := lockers[g%len(lockers)]
			for range rounds {
				unlock, err := l.Lock(ctx, name)
				if err != nil {
					errs <- err
					return
				}
				n := holders.Add(1)
				if n > maxHolders.Load() {
					maxHolders.Store(n)
				}
				acquired.Add(1)
				time.Sleep(2 * time.Millisecond)
				holders.Add(-1)
				unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int32(goroutines*rounds), acquired.Load())
	require.Equal(t, int32(1), maxHolders.Load(), "two holders at once")
}
