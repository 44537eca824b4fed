package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
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
	query, args := s.q.list(opts, pos, limit+1)
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
	if opts.Filter != "" || len(opts.Labels) > 0 {
		if res.Total, err = s.selectedTotal(ctx, opts, lastSeq); err != nil {
			return nil, err
		}
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

// sortColumns are the columns of each order: the sort key, then the name.
// Each list is the column list of an index, so that a page is one index
// range scan, forward or backward.
var sortColumns = map[store.SortField][]string{
	store.SortByName:    {"name"},
	store.SortByExpiry:  {"expires_at", "expires_nsec", "name"},
	store.SortByCreated: {"created_at", "created_nsec", "name"},
}

// selection builds the WHERE clause of the records opts selects (Filter,
// Labels), with its arguments numbered from 1.
type selection struct {
	where strings.Builder
	args  []any
}

func newSelection(opts store.ListOptions) *selection {
	sel := &selection{}
	sel.where.WriteString(" WHERE true")
	if opts.Filter != "" {
		sel.where.WriteString(" AND name LIKE " + sel.arg(likePattern(opts.Filter)))
	}
	if len(opts.Labels) > 0 {
		labels, _ := json.Marshal(opts.Labels) // cannot fail: strings
		sel.where.WriteString(" AND labels @> " + sel.arg(labels))
	}
	return sel
}

// arg adds an argument and returns its placeholder.
func (sel *selection) arg(v any) string {
	sel.args = append(sel.args, v)
	return "$" + strconv.Itoa(len(sel.args))
}

// list builds the query of a page of limit rows: keyset pagination, the
// cursor's position compared as a row value with the order's columns.
func (q *queries) list(opts store.ListOptions, pos *cursor, limit int) (string, []any) {
	cols := sortColumns[opts.Sort]
	sel := newSelection(opts)
	cmp, dir := " > ", ""
	if opts.Desc {
		cmp, dir = " < ", " DESC"
	}
	if pos != nil {
		var vals []string
		for _, v := range pos.values(opts.Sort) {
			vals = append(vals, sel.arg(v))
		}
		sel.where.WriteString(" AND (" + strings.Join(cols, ", ") + ")" + cmp + "(" + strings.Join(vals, ", ") + ")")
	}
	order := " ORDER BY " + strings.Join(cols, dir+", ") + dir + " LIMIT " + sel.arg(limit)
	return "SELECT " + columns + " FROM " + q.records + sel.where.String() + order, sel.args
}

// count builds the query counting the records opts selects, with the
// feed position: one statement, so one snapshot, so the count is exact as
// of that position.
func (q *queries) count(opts store.ListOptions) (string, []any) {
	sel := newSelection(opts)
	return "SELECT last_seq, (SELECT count(*) FROM " + q.records + sel.where.String() + ") FROM " + q.stateTable, sel.args
}

// selectedTotal returns the number of records opts selects (by Filter or
// Labels): the count cached for the feed position lastSeq if any (no
// record was written since), else an exact count, cached for the position
// it was taken at.
func (s *Store) selectedTotal(ctx context.Context, opts store.ListOptions, lastSeq int64) (int, error) {
	labels, _ := json.Marshal(opts.Labels) // keys sorted: one key per selection
	key := opts.Filter + "\x00" + string(labels)
	if n, ok := s.totals.get(key, lastSeq); ok {
		return n, nil
	}
	var seq, n int64
	query, args := s.q.count(opts)
	if err := s.pool.QueryRow(ctx, query, args...).Scan(&seq, &n); err != nil {
		return 0, dbError(ctx, "count records", err)
	}
	s.totals.put(key, seq, int(n))
	return int(n), nil
}
