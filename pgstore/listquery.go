package pgstore

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/certs-dev/certs/store"
)

// sortColumns are the columns of each order: the sort key, then the name.
// Each list is the column list of an index of records and, after the
// label, of one of record_labels, so that a page is one index range scan,
// forward or backward.
var sortColumns = map[store.SortField][]string{
	store.SortByName:    {"name"},
	store.SortByExpiry:  {"expires_at", "expires_nsec", "name"},
	store.SortByCreated: {"created_at", "created_nsec", "name"},
}

// The costs of reading, in index entries read from a page already at
// hand (about 0.1-0.2 µs at 1,000,000 records in memory): a row read from
// the table in a bitmap scan (a page each, about 1-2 µs), and a row looked
// up by name (an index descent, then the table's page).
const (
	rowCost    = 10
	lookupCost = 30
)

// A way of reading a page of selected records (see queries.list).
type way int

const (
	// walkRecords walks the records' order index from the cursor.
	walkRecords way = iota
	// walkLabel walks a label's record_labels index from the cursor.
	walkLabel
	// gatherNames gathers the records whose names match the Filter
	// through the trigram index, and sorts the page out of them.
	gatherNames
	// gatherLabels gathers the records holding every label through the
	// labels GIN index, and sorts the page out of them.
	gatherLabels
)

// A plan is how List reads a page of selected records.
type plan struct {
	way   way
	label string // the key of the label walked (walkLabel)
}

// selectionCount is the number of records a selection (Filter, Labels)
// matches, n, exact as of feed position seq, when the store held total
// records, labelled of them holding every label of the selection (total
// without labels), and labels[i] the i-th label in key order.
type selectionCount struct {
	seq, n, total, labelled int64
	labels                  []int64
}

// plan picks the cheapest way to read a page of limit records, by what
// each reads at most (see rowCost):
//
//   - A walk reads an index in the page's order from the cursor until it
//     has limit entries selected: limit * walked / n entries, and at most
//     walked, the number of entries of the index walked (the records', or
//     the rarest label's). The name is in every entry, so the Filter is
//     checked there; other labels are checked in the record's row, looked
//     up by name.
//   - Gathering through the labels index reads the labelled rows.
//   - Gathering through the trigram index reads the rows whose names match
//     the Filter: at most n, plus every record without the labels.
//
// These are bounds from exact counts, not estimates: however the labels
// and names are spread, a page reads no more. At 1,000,000 records and
// pages of 100, a Filter alone costs at most about 3,200 rows or 32,000
// entries, a few milliseconds.
func (c selectionCount) plan(opts store.ListOptions, limit int, trigram bool) plan {
	best, walked, check := plan{way: walkRecords}, c.total, int64(0)
	if keys := labelKeys(opts.Labels); len(keys) > 0 && len(keys) == len(c.labels) {
		i := 0
		for j, n := range c.labels {
			if n < c.labels[i] {
				i = j
			}
		}
		best, walked = plan{way: walkLabel, label: keys[i]}, c.labels[i]
		if len(keys) > 1 {
			check = lookupCost
		}
	}
	cost := walked
	if c.n > 0 {
		cost = min(walked, int64(limit)*walked/c.n)
	}
	cost *= 1 + check
	if gather := c.labelled * rowCost; len(opts.Labels) > 0 && gather < cost {
		best, cost = plan{way: gatherLabels}, gather
	}
	if gather := (c.n + c.total - c.labelled) * rowCost; opts.Filter != "" && trigram && gather < cost {
		best = plan{way: gatherNames}
	}
	return best
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
	if err := s.pool.QueryRow(ctx, query, args...).Scan(&c.seq, &c.total, &c.n, &c.labelled, &c.labels); err != nil {
		return c, dbError(ctx, "count records", err)
	}
	s.totals.put(key, c)
	return c, nil
}

// labelKeys returns the keys of labels, sorted.
func labelKeys(labels map[string]string) []string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sqlArgs are a query's arguments.
type sqlArgs []any

// add adds an argument and returns its placeholder.
func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// filterCond is the condition keeping the names (with prefix, an alias
// and a dot, or "") containing filter: with LIKE, which the trigram index
// serves, to gather; else with strpos, which no index serves, so that the
// planner keeps to the walk it was given (it takes strpos to keep a third
// of the rows).
func filterCond(a *sqlArgs, prefix, filter string, indexed bool) string {
	if indexed {
		return " AND " + prefix + "name LIKE " + a.add(likePattern(filter))
	}
	return " AND strpos(" + prefix + "name, " + a.add(filter) + ") > 0"
}

// labelsCond is the condition keeping the records (with prefix) holding
// labels: with @>, which the labels index serves, to gather; else with
// jsonb_contains, which no index serves.
func labelsCond(a *sqlArgs, prefix string, labels map[string]string, indexed bool) string {
	b, _ := json.Marshal(labels) // cannot fail: strings
	if indexed {
		return " AND " + prefix + "labels @> " + a.add(b)
	}
	return " AND jsonb_contains(" + prefix + "labels, " + a.add(b) + ")"
}

// labelKey returns the expression of a label's record_labels key.
func (q *queries) labelKey(a *sqlArgs, key, value string) string {
	return q.labelKeyFunc + "(" + a.add(key) + ", " + a.add(value) + ")"
}

// after returns the condition, after " AND ", keeping the rows after pos
// in opts' order, on the sort columns with prefix; "" when pos is nil.
func after(a *sqlArgs, opts store.ListOptions, pos *cursor, prefix string) string {
	if pos == nil {
		return ""
	}
	cmp := " > "
	if opts.Desc {
		cmp = " < "
	}
	var vals []string
	for _, v := range pos.values(opts.Sort) {
		vals = append(vals, a.add(v))
	}
	return " AND (" + prefix + strings.Join(sortColumns[opts.Sort], ", "+prefix) + ")" + cmp + "(" + strings.Join(vals, ", ") + ")"
}

// orderBy is the ORDER BY clause of opts' order, on the sort columns with
// prefix.
func orderBy(opts store.ListOptions, prefix string) string {
	dir := ""
	if opts.Desc {
		dir = " DESC"
	}
	return " ORDER BY " + prefix + strings.Join(sortColumns[opts.Sort], dir+", "+prefix) + dir
}

// list builds the query of a page of limit rows after pos, read as p says:
// keyset pagination, the cursor's position compared as a row value with the
// order's columns.
//
//   - Unselected: the records' order index, read from the cursor.
//   - walkRecords: the page's names are found in the records' order index
//     from the cursor, the Filter checked in each entry (an index-only
//     scan); then those rows are read by name.
//   - walkLabel: the same in the label's record_labels index for the order,
//     the other labels, if any, checked in the record's row.
//   - gatherNames, gatherLabels: the selected rows are gathered through the
//     trigram or labels index (their names and sort keys only), whatever
//     the cursor, and the page's names picked from those after the cursor
//     by a top-N sort; then those rows are read by name.
//
// Every check the chosen index does not serve is written so that no index
// serves it (see filterCond): each way keeps its plan whatever the
// planner's estimates of the selection. List picks the way
// (selectionCount.plan) so that a page costs little whatever the
// selection, its size and the page's depth.
func (q *queries) list(opts store.ListOptions, pos *cursor, limit int, p plan) (string, []any) {
	a := &sqlArgs{}
	order := orderBy(opts, "")
	byName := func(names string) string {
		return "SELECT " + columns + " FROM " + q.records + " WHERE name IN (" + names + ")" + order
	}
	switch {
	case opts.Filter == "" && len(opts.Labels) == 0:
		return "SELECT " + columns + " FROM " + q.records + " WHERE true" + after(a, opts, pos, "") + order + " LIMIT " + a.add(limit), *a
	case p.way == walkLabel:
		return byName(q.labelWalk(a, opts, pos, limit, p.label)), *a
	case p.way == gatherNames || p.way == gatherLabels:
		m := "WITH m AS MATERIALIZED (" + q.gather(a, opts, p.way == gatherNames) + ") "
		return m + byName("SELECT name FROM m WHERE true"+after(a, opts, pos, "")+order+" LIMIT "+a.add(limit)), *a
	}
	var checks string
	if opts.Filter != "" {
		checks = filterCond(a, "", opts.Filter, false)
	}
	if len(opts.Labels) > 0 {
		checks += labelsCond(a, "", opts.Labels, false)
	}
	return byName("SELECT name FROM " + q.records + " WHERE true" + checks + after(a, opts, pos, "") + order + " LIMIT " + a.add(limit)), *a
}

// gather builds the query of the sort keys of every record opts selects,
// through the trigram index (byName) or the labels index.
func (q *queries) gather(a *sqlArgs, opts store.ListOptions, byName bool) string {
	var conds string
	if opts.Filter != "" {
		conds = filterCond(a, "", opts.Filter, byName)
	}
	if len(opts.Labels) > 0 {
		conds += labelsCond(a, "", opts.Labels, !byName)
	}
	return "SELECT " + strings.Join(sortColumns[opts.Sort], ", ") + " FROM " + q.records + " WHERE true" + conds
}

// labelWalk builds the subquery of the names of a page of limit records
// after pos holding label key, from its record_labels index: opts' Filter
// is checked on the entry's name, and its other labels, if any, on the
// record's row, by a subquery per entry (which the planner cannot turn
// into a join that would read them all).
func (q *queries) labelWalk(a *sqlArgs, opts store.ListOptions, pos *cursor, limit int, key string) string {
	var b strings.Builder
	b.WriteString("SELECT l.name FROM " + q.labels + " l WHERE l.label = " + q.labelKey(a, key, opts.Labels[key]))
	if opts.Filter != "" {
		b.WriteString(filterCond(a, "l.", opts.Filter, false))
	}
	if len(opts.Labels) > 1 {
		others := maps.Clone(opts.Labels)
		delete(others, key)
		b.WriteString(" AND (SELECT true FROM " + q.records + " r WHERE r.name = l.name" + labelsCond(a, "r.", others, false) + ")")
	}
	b.WriteString(after(a, opts, pos, "l.") + orderBy(opts, "l.") + " LIMIT " + a.add(limit))
	return b.String()
}

// count builds the query counting the records opts selects (see
// selectionCount), with the feed position: one statement, so one
// snapshot, so the counts are exact as of that position. A Filter alone is
// counted through the trigram index; one label in record_labels (an
// index-only scan of the label's entries, the Filter checked in each);
// several labels through the labels index, the Filter checked in the rows.
func (q *queries) count(opts store.ListOptions) (string, []any) {
	a := &sqlArgs{}
	keys := labelKeys(opts.Labels)
	head := "SELECT st.last_seq, st.total, c.n, "
	if len(keys) == 0 {
		var cond string
		if opts.Filter != "" {
			cond = filterCond(a, "", opts.Filter, true)
		}
		return head + "st.total, ARRAY[]::bigint[] FROM " + q.stateTable + " st, (SELECT count(*) AS n FROM " + q.records +
			" WHERE true" + cond + ") c", *a
	}
	counts := make([]string, len(keys))
	for i, k := range keys {
		counts[i] = "(SELECT count(*) FROM " + q.labels + " WHERE label = " + q.labelKey(a, k, opts.Labels[k]) + ")"
	}
	var from string
	if len(keys) == 1 { // all in one scan of the label's entries
		counts[0], from = "c.labelled", q.labels+" WHERE label = "+q.labelKeyFunc+"($1, $2)"
	} else {
		from = q.records + " WHERE true" + labelsCond(a, "", opts.Labels, true)
	}
	n := "count(*)"
	if opts.Filter != "" {
		n += " FILTER (WHERE true" + filterCond(a, "", opts.Filter, false) + ")"
	}
	return head + "c.labelled, ARRAY[" + strings.Join(counts, ", ") + "]::bigint[] FROM " + q.stateTable + " st, (SELECT " + n +
		" AS n, count(*) AS labelled FROM " + from + ") c", *a
}
