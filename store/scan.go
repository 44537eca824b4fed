package store

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// A Scanner is a Store that reads every record in one pass, in no
// particular order, faster than paging through List in a sorted order. The
// Manager loads its records at start-up with ScanAll, which uses Scan when
// the Store has it.
//
// Scan calls fn for each record (damaged records as a *DamagedError, with
// rec nil), possibly from several goroutines at once, and stops at the
// first error fn returns or when ctx is done. fn owns the records it gets.
type Scanner interface {
	Scan(ctx context.Context, fn func(rec *Record, damaged *DamagedError) error) error
}

// ScanAll calls fn for every record of s: through Scan when s is a
// Scanner, else by paging through List in name order (fn is then called
// from one goroutine).
func ScanAll(ctx context.Context, s Store, fn func(rec *Record, damaged *DamagedError) error) error {
	if sc, ok := s.(Scanner); ok {
		return sc.Scan(ctx, fn)
	}
	opts := ListOptions{Limit: 1000}
	for {
		page, err := s.List(ctx, opts)
		if err != nil {
			return err
		}
		for _, d := range page.Damaged {
			if err := fn(nil, d); err != nil {
				return err
			}
		}
		for _, rec := range page.Records {
			if err := fn(rec, nil); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		opts.Cursor = page.NextCursor
	}
}

var (
	_ Scanner = (*Memory)(nil)
	_ Scanner = (*FS)(nil)
)

// Scan calls fn with a copy of every record, from one goroutine.
func (m *Memory) Scan(ctx context.Context, fn func(*Record, *DamagedError) error) error {
	m.mu.RLock()
	recs := make([]*Record, 0, len(m.records))
	for _, rec := range m.records {
		recs = append(recs, rec.Clone())
	}
	m.mu.RUnlock()
	for _, rec := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(rec, nil); err != nil {
			return err
		}
	}
	return nil
}

// Scan reads every record file with a few readers at once (the records'
// reads and fn's work overlap) and calls fn from those readers.
func (s *FS) Scan(ctx context.Context, fn func(*Record, *DamagedError) error) error {
	root := filepath.Join(s.dir, hostsDir)
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan fs.DirEntry)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) { once.Do(func() { firstErr = err; cancel() }) }
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				if err := s.scanOne(ctx, root, e, fn); err != nil {
					fail(err)
				}
			}
		}()
	}
	for _, e := range entries {
		if ctx.Err() != nil {
			break
		}
		work <- e
	}
	close(work)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return firstErr
}

// scanOne reads the record of one host directory entry and hands it to fn.
func (s *FS) scanOne(ctx context.Context, root string, e fs.DirEntry, fn func(*Record, *DamagedError) error) error {
	name, ok := decodeName(e.Name())
	if !ok {
		return nil // temp, deleted or foreign entries
	}
	en, found, err := readEntry(ctx, root, e.Name(), name)
	switch {
	case err != nil:
		return err
	case !found:
		return nil
	case en.dmg != nil:
		return fn(nil, en.dmg)
	}
	return fn(en.rec, nil)
}

// Scan scans the inner store (through ScanAll) and opens the secrets of
// every record. A record that cannot be opened stops the scan with its
// error (ErrDecrypt: a configuration error, not damage).
func (e *encrypted) Scan(ctx context.Context, fn func(*Record, *DamagedError) error) error {
	return ScanAll(ctx, e.inner, func(rec *Record, d *DamagedError) error {
		if rec != nil {
			if err := e.openRecord(rec); err != nil {
				return err
			}
		}
		return fn(rec, d)
	})
}
