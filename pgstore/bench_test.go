package pgstore

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// benchRows is the number of records BenchmarkList lists: 100,000 by
// default; -pgstore.rows=1000000 (or PGSTORE_BENCH_ROWS) for the scale
// run, which takes a few minutes to load and about 2 GB of disk.
var benchRows = flag.Int("pgstore.rows", envInt("PGSTORE_BENCH_ROWS", 100_000), "records in BenchmarkList's database")

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// BenchmarkList lists a page of 100 records, the first and one 90% of the
// way through, in every order and direction, unfiltered, filtered by a
// substring (selective: 1 in 1000 names; broad: 1 in 7), by a label (1 in
// 100), by a label and a substring (1 in 700) and by two labels (1 in
// 300). The goal: under 10 ms a page at 1,000,000 records. "counted"
// cases clear the cached filtered Total first, to show what an exact count
// costs on the first page of a new filter.
func BenchmarkList(b *testing.B) {
	s := newStore(b)
	fill(b, s, *benchRows, true)
	ctx := context.Background()
	selections := []struct {
		name string
		opts store.ListOptions
	}{
		{"all", store.ListOptions{}},
		{"filter=rare", store.ListOptions{Filter: "c042."}},
		{"filter=broad", store.ListOptions{Filter: "example3"}},
		{"label", store.ListOptions{Labels: map[string]string{"tenant": "t7"}}},
		{"label+filter", store.ListOptions{Labels: map[string]string{"tenant": "t7"}, Filter: "example3"}},
		{"labels=2", store.ListOptions{Labels: map[string]string{"tenant": "t1", "zone": "z1"}}},
	}
	sorts := []struct {
		name string
		sort store.SortField
	}{{"name", store.SortByName}, {"expiry", store.SortByExpiry}, {"created", store.SortByCreated}}
	for _, sel := range selections {
		for _, so := range sorts {
			for _, desc := range []bool{false, true} {
				opts := sel.opts
				opts.Sort, opts.Desc = so.sort, desc
				deep := deepCursor(b, s, opts)
				for _, page := range []struct{ name, cursor string }{{"first", ""}, {"deep", deep}} {
					if page.name == "deep" && deep == "" {
						continue // fewer than two pages
					}
					opts.Cursor = page.cursor
					b.Run(fmt.Sprintf("%s/%s/desc=%v/%s", sel.name, so.name, desc, page.name), func(b *testing.B) {
						benchPage(b, ctx, s, opts, false)
					})
				}
			}
		}
		if sel.name != "all" {
			opts := sel.opts
			b.Run(sel.name+"/name/desc=false/first/counted", func(b *testing.B) { benchPage(b, ctx, s, opts, true) })
		}
	}
}

// benchPage lists the page opts selects b.N times; with uncached, it
// drops the cached totals before each.
func benchPage(b *testing.B, ctx context.Context, s *Store, opts store.ListOptions, uncached bool) {
	b.ReportAllocs()
	for b.Loop() {
		if uncached {
			s.totals.mu.Lock()
			s.totals.m = nil
			s.totals.mu.Unlock()
		}
		res, err := s.List(ctx, opts)
		if err != nil || len(res.Records) != store.DefaultListLimit {
			b.Fatalf("List: %v, %d records", err, len(res.Records))
		}
	}
}

// deepCursor returns the cursor of the page 90% of the way through the
// records opts selects, in its order (the last full page when that one
// would be short), or "" when they fill fewer than two pages.
func deepCursor(b *testing.B, s *Store, opts store.ListOptions) string {
	b.Helper()
	ctx := context.Background()
	var c selectionCount
	query, args := s.q.count(opts)
	require.NoError(b, s.pool.QueryRow(ctx, query, args...).Scan(&c.seq, &c.total, &c.n, &c.labelled, &c.labels))
	limit := int64(store.DefaultListLimit)
	if c.n <= 2*limit {
		return ""
	}
	query, args = selectedInOrder(s.q, opts)
	var r row
	offset := min(c.n*9/10, c.n-limit-1)
	require.NoError(b, s.pool.QueryRow(ctx, query+fmt.Sprintf(" OFFSET %d LIMIT 1", offset), args...).Scan(r.dest()...))
	return encodeCursor(&r, opts)
}

// selectedInOrder builds the query of every record opts selects, in its
// order, the plain way (a reference for List's ways, and for OFFSET).
func selectedInOrder(q *queries, opts store.ListOptions) (string, []any) {
	a := &sqlArgs{}
	var conds string
	if opts.Filter != "" {
		conds = filterCond(a, "", opts.Filter, true)
	}
	if len(opts.Labels) > 0 {
		conds += labelsCond(a, "", opts.Labels, true)
	}
	return "SELECT " + columns + " FROM " + q.records + " WHERE true" + conds + orderBy(opts, ""), *a
}
