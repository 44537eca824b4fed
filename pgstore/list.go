package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/certs-dev/certs/store"
)

// List returns one page of the records selected by opts, in store.Store's
// order (see the package documentation for how it stays fast at any depth).
// Records whose rows cannot be decoded are reported in Damaged, in their
// place.
func (s *Store) List(ctx context.Context, opts store.ListOptions) (*store.ListResult, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	limit, pos, err := checkList(opts)
	if err != nil {
		return nil, err
	}
	if !possibleFilter(opts.Filter) {
		return &store.ListResult{}, nil // no name holds such a byte
	}
	selected := opts.Filter != "" || len(opts.Labels) > 0
	var count selectionCount
	var p plan
	if selected {
		if count, err = s.countSelection(ctx, opts, false); err != nil {
			return nil, err
		}
		p = count.plan(opts, limit, s.trigram)
	}
	query, args := s.q.list(opts, pos, limit+1, p)
	b := &pgx.Batch{}
	var rows []*row
	b.Queue(query, args...).Query(func(r pgx.Rows) error {
		for r.Next() {
			var rw row
			if err := r.Scan(rw.dest()...); err != nil {
				return err
			}
			rows = append(rows, &rw)
		}
		return r.Err()
	})
	var total, lastSeq int64
	b.Queue(s.q.state).QueryRow(func(r pgx.Row) error { return r.Scan(&total, &lastSeq) })
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, dbError(ctx, "list", err)
	}
	res := s.page(rows, limit, opts)
	res.Total = int(total)
	if selected {
		if count.seq != lastSeq { // written since: count again
			if count, err = s.countSelection(ctx, opts, true); err != nil {
				return nil, err
			}
		}
		res.Total = int(count.n)
	}
	return res, nil
}

// page turns up to limit+1 rows into a page: the first limit ones, and a
// cursor after the last of them when there are more.
func (s *Store) page(rows []*row, limit int, opts store.ListOptions) *store.ListResult {
	res := &store.ListResult{}
	if len(rows) > limit {
		rows = rows[:limit]
		res.NextCursor = encodeCursor(rows[limit-1], opts)
	}
	for _, r := range rows {
		rec, err := r.record(s.schema)
		if err != nil {
			res.Damaged = append(res.Damaged, err.(*store.DamagedError))
		} else {
			res.Records = append(res.Records, rec)
		}
	}
	return res
}

// checkList validates opts as store.Store's List does and returns the
// page size and the decoded cursor (nil at the start).
func checkList(opts store.ListOptions) (int, *cursor, error) {
	switch {
	case opts.Sort != store.SortByName && opts.Sort != store.SortByExpiry && opts.Sort != store.SortByCreated:
		return 0, nil, fmt.Errorf("pgstore: unknown ListOptions.Sort %d; use SortByName, SortByExpiry or SortByCreated", opts.Sort)
	case opts.Limit < 0:
		return 0, nil, fmt.Errorf("pgstore: negative ListOptions.Limit %d; use 0 for the default of %d", opts.Limit, store.DefaultListLimit)
	}
	limit := opts.Limit
	if limit == 0 {
		limit = store.DefaultListLimit
	}
	if opts.Cursor == "" {
		return limit, nil, nil
	}
	pos, err := decodeCursor(opts.Cursor, opts)
	return limit, pos, err
}

// possibleFilter reports whether some record name may contain filter:
// names hold only [a-z0-9._*-].
func possibleFilter(filter string) bool {
	for i := 0; i < len(filter); i++ {
		c := filter[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '_' && c != '*' && c != '-' {
			return false
		}
	}
	return true
}

// likePattern is the LIKE pattern of a substring filter.
func likePattern(filter string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(filter) + "%"
}
