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
	selected := opts.Filter != "" || len(opts.Labels) > 0
	var count selectionCount
	if selected {
		if count, err = s.countSelection(ctx, opts, false); err != nil {
			return nil, err
		}
	}
	query, args := s.q.list(opts, pos, limit+1, selected && count.gather(limit))
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
//
// Without gather, the page is a walk of the order's index from the
// cursor, skipping the rows the selection leaves out: a page costs
// limit / (fraction selected) rows. With gather, the selected rows after
// the cursor are first gathered through the trigram or labels index (their
// names and sort keys only), the page's names picked from them by a top-N
// sort, and those rows read by name: a page costs the selection's size.
// List gathers when that is the cheaper (see selectionCount.gather), so
// that a rare selection does not walk most of the table, whatever the
// planner estimates.
func (q *queries) list(opts store.ListOptions, pos *cursor, limit int, gather bool) (string, []any) {
	cols := strings.Join(sortColumns[opts.Sort], ", ")
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
		sel.where.WriteString(" AND (" + cols + ")" + cmp + "(" + strings.Join(vals, ", ") + ")")
	}
	order := " ORDER BY " + strings.Join(sortColumns[opts.Sort], dir+", ") + dir
	if !gather {
		return "SELECT " + columns + " FROM " + q.records + sel.where.String() + order + " LIMIT " + sel.arg(limit), sel.args
	}
	return "WITH m AS MATERIALIZED (SELECT " + cols + " FROM " + q.records + sel.where.String() + ")" +
		" SELECT " + columns + " FROM " + q.records +
		" WHERE name IN (SELECT name FROM m" + order + " LIMIT " + sel.arg(limit) + ")" + order, sel.args
}

// count builds the query counting the records opts selects, with the
// feed position and the number of records: one statement, so one
// snapshot, so the count is exact as of that position.
func (q *queries) count(opts store.ListOptions) (string, []any) {
	sel := newSelection(opts)
	return "SELECT last_seq, total, (SELECT count(*) FROM " + q.records + sel.where.String() + ") FROM " + q.stateTable, sel.args
}

// selectionCount is the number of records a selection (Filter, Labels)
// matches, n, exact as of feed position seq, when the store held total
// records.
type selectionCount struct {
	seq, n, total int64
}

// gather reports whether a page of limit rows is cheaper gathered from
// the selection (cost: n rows) than walked along the order's index (cost:
// limit * total / n rows, when the selected rows are spread evenly), that
// is when n * n <= limit * total: up to about 10,000 matches in 1,000,000
// records. Gathering also keeps a rare selection from walking most of the
// table when its rows cluster at the far end of the order.
func (c selectionCount) gather(limit int) bool {
	return c.n*c.n <= int64(limit)*c.total
}

// countSelection returns the count of the records opts selects: the one
// cached (unless exact is set, whatever position it was taken at; List
// checks the position), else an exact count, cached with the position it
// was taken at. The cache keeps the Total of a filtered listing from being
// counted again on every page.
func (s *Store) countSelection(ctx context.Context, opts store.ListOptions, exact bool) (selectionCount, error) {
	labels, _ := json.Marshal(opts.Labels) // keys sorted: one key per selection
	key := opts.Filter + "\x00" + string(labels)
	if c, ok := s.totals.get(key); ok && !exact {
		return c, nil
	}
	var c selectionCount
	query, args := s.q.count(opts)
	if err := s.pool.QueryRow(ctx, query, args...).Scan(&c.seq, &c.total, &c.n); err != nil {
		return c, dbError(ctx, "count records", err)
	}
	s.totals.put(key, c)
	return c, nil
}
