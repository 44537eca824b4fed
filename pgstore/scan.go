package pgstore

import (
	"context"

	"github.com/certs-dev/certs/store"
)

// scanPage is how many records Scan reads at a time.
const scanPage = 1000

var _ store.Scanner = (*Store)(nil)

// Scan calls fn for every record (a damaged one as a *store.DamagedError,
// with rec nil), in name order, from one goroutine, and stops at the first
// error fn returns or when ctx is done. It reads pages of records by
// keyset while fn works on the previous page, and holds no connection or
// snapshot while fn runs: fn may call the store. Records written during
// the scan may or may not be seen. It is store.Scanner's Scan, which the
// Manager uses to load everything at start-up (store.ScanAll).
func (s *Store) Scan(ctx context.Context, fn func(rec *store.Record, damaged *store.DamagedError) error) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan []*row, 1)
	errc := make(chan error, 1)
	go func() { errc <- s.readPages(ctx, pages) }()
	for page := range pages {
		for _, r := range page {
			rec, err := r.record(s.schema)
			var dmg *store.DamagedError
			if err != nil {
				dmg = err.(*store.DamagedError)
			}
			if err := fn(rec, dmg); err != nil {
				cancel()
				for range pages { // let the reader finish
				}
				<-errc
				return err
			}
		}
	}
	return <-errc
}

// readPages sends every record row to pages, a page at a time in name
// order, and closes it.
func (s *Store) readPages(ctx context.Context, pages chan<- []*row) error {
	defer close(pages)
	var pos *cursor
	for {
		rows, err := s.scanPage(ctx, pos)
		if err != nil {
			return err
		}
		select {
		case pages <- rows:
		case <-ctx.Done():
			return ctx.Err()
		}
		if len(rows) < scanPage {
			return nil
		}
		pos = &cursor{K: rows[len(rows)-1].name}
	}
}

// scanPage reads the page of records after pos in name order.
func (s *Store) scanPage(ctx context.Context, pos *cursor) ([]*row, error) {
	query, args := s.q.list(store.ListOptions{}, pos, scanPage, plan{})
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, dbError(ctx, "scan", err)
	}
	defer rows.Close()
	var out []*row
	for rows.Next() {
		var r row
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, dbError(ctx, "scan", err)
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(ctx, "scan", err)
	}
	return out, nil
}
