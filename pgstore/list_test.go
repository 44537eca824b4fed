package pgstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// TestListByteOrder: names sort in byte order in every direction, whatever
// the database's collation (the test server's is ICU en-US, under which
// '-', '.' and '_' sort otherwise).
func TestListByteOrder(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := ctxT(t)
	names := []string{"a-b.test", "a_b.test", "a.b.test", "ab.test", "a0.test", "a-.b", "*.a.test", "_a.test", "b.test", "a.test"}
	names = slices.DeleteFunc(names, func(n string) bool { return store.CheckName(n) != nil })
	for _, n := range names {
		require.NoError(t, s.Put(ctx, &store.Record{Name: n}))
	}
	want := slices.Clone(names)
	slices.Sort(want)
	for _, desc := range []bool{false, true} {
		var got []string
		for opts := (store.ListOptions{Limit: 3, Desc: desc}); ; {
			res, err := s.List(ctx, opts)
			require.NoError(t, err)
			for _, r := range res.Records {
				got = append(got, r.Name)
			}
			if res.NextCursor == "" {
				break
			}
			opts.Cursor = res.NextCursor
		}
		if desc {
			slices.Reverse(got)
		}
		require.Equal(t, want, got, "desc=%v", desc)
	}
}

// TestListSelectedTotal: the Total of a filtered or labelled listing is
// exact, and stays so across writes (the count cached for a selection is
// dropped by the next write).
func TestListSelectedTotal(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := ctxT(t)
	put := func(name, tenant string) {
		require.NoError(t, s.Put(ctx, &store.Record{Name: name, Labels: map[string]string{"tenant": tenant}}))
	}
	put("shop.a.test", "a")
	put("blog.a.test", "a")
	put("shop.b.test", "b")
	for _, tc := range []struct {
		name  string
		opts  store.ListOptions
		write func()
		want  int
	}{
		{"filter", store.ListOptions{Filter: "shop"}, nil, 2},
		{"filter again, from the cache", store.ListOptions{Filter: "shop"}, nil, 2},
		{"after an insert", store.ListOptions{Filter: "shop"}, func() { put("shop.c.test", "c") }, 3},
		{"after an update", store.ListOptions{Filter: "shop"}, func() { put("shop.c.test", "a") }, 3},
		{"after a delete", store.ListOptions{Filter: "shop"}, func() { require.NoError(t, s.Delete(ctx, "shop.b.test")) }, 2},
		{"labels", store.ListOptions{Labels: map[string]string{"tenant": "a"}}, nil, 3},
		{"labels and filter", store.ListOptions{Labels: map[string]string{"tenant": "a"}, Filter: "blog"}, nil, 1},
		{"a filter no name can match", store.ListOptions{Filter: "Shop"}, nil, 0},
		{"a filter with LIKE's wildcards", store.ListOptions{Filter: "%"}, nil, 0},
		{"underscore is literal", store.ListOptions{Filter: "shop_"}, nil, 0},
		{"unfiltered", store.ListOptions{}, nil, 3},
	} {
		if tc.write != nil {
			tc.write()
		}
		res, err := s.List(ctx, tc.opts)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, res.Total, tc.name)
		require.Len(t, res.Records, tc.want, tc.name)
	}
}

// TestListUsesIndexes: every order's page, first or deep, ascending or
// descending, is one range scan of its index, with no sort and no scan of
// the table; so is a walk of a label's index; a Filter walked is checked
// in the order index's entries (an index-only scan); a gathered selection
// goes through the trigram or labels index. (The plan, not a timing, is
// what holds at any size: see BenchmarkList.)
func TestListUsesIndexes(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	fill(t, s, 20000, true)
	ctx := ctxT(t)
	indexes := map[store.SortField]string{store.SortByName: "records_pkey", store.SortByExpiry: "records_by_expiry", store.SortByCreated: "records_by_created"}
	labelIndexes := map[store.SortField]string{store.SortByName: "record_labels_pkey", store.SortByExpiry: "record_labels_by_expiry", store.SortByCreated: "record_labels_by_created"}
	tenant := map[string]string{"tenant": "t7"}
	for sort, index := range indexes {
		for _, desc := range []bool{false, true} {
			opts := store.ListOptions{Sort: sort, Desc: desc}
			first, err := s.List(ctx, opts)
			require.NoError(t, err)
			pos, err := decodeCursor(first.NextCursor, opts)
			require.NoError(t, err)
			for label, p := range map[string]*cursor{"first": nil, "deep": pos} {
				name := fmt.Sprintf("sort %d desc %v %s page", sort, desc, label)
				query, args := s.q.list(opts, p, 101, plan{})
				requireRangeScan(t, explain(t, s, query, args), index, name)
				filtered := opts
				filtered.Filter = "example3"
				query, args = s.q.list(filtered, p, 101, plan{})
				pl := explain(t, s, query, args)
				requireRangeScan(t, pl, index, name+" filtered")
				require.Contains(t, pl, `"Node Type": "Index Only Scan"`, name+" filtered")
				labelled := opts
				labelled.Labels = tenant
				query, args = s.q.list(labelled, p, 101, plan{way: walkLabel, label: "tenant"})
				requireRangeScan(t, explain(t, s, query, args), labelIndexes[sort], name+" labelled")
			}
		}
	}
	query, args := s.q.list(store.ListOptions{Filter: fillName(12345)}, nil, 101, plan{way: gatherNames})
	require.Contains(t, explain(t, s, query, args), `"Index Name": "records_name_trgm"`)
	query, args = s.q.list(store.ListOptions{Labels: tenant}, nil, 101, plan{way: gatherLabels})
	require.Contains(t, explain(t, s, query, args), `"Index Name": "records_by_labels"`)
}

// requireRangeScan checks that plan reads index and neither sorts nor
// scans a table whole.
func requireRangeScan(t *testing.T, plan, index, name string) {
	t.Helper()
	require.Contains(t, plan, `"Index Name": "`+index+`"`, name)
	require.NotContains(t, plan, `"Node Type": "Seq Scan"`, name)
	require.NotContains(t, plan, `"Node Type": "Bitmap Heap Scan"`, name)
	var plans []struct{ Plan map[string]any }
	require.NoError(t, json.Unmarshal([]byte(plan), &plans))
	require.Empty(t, sorts(plans[0].Plan, 0), "%s: sorts more than a page:\n%s", name, plan)
}

// sorts returns the Sort nodes of plan that sort more than a page (the
// last step of a page read by name sorts its 101 rows; depth 0 is that
// step's).
func sorts(plan map[string]any, depth int) []string {
	var out []string
	if plan["Node Type"] == "Sort" && depth > 0 {
		out = append(out, fmt.Sprint(plan["Sort Key"]))
	}
	children, _ := plan["Plans"].([]any)
	for _, c := range children {
		out = append(out, sorts(c.(map[string]any), depth+1)...)
	}
	return out
}

// TestListWaysAgree: every way of reading a selected page (see
// queries.list: walking the records, walking any of its labels,
// gathering) gives the pages of a plain query of the selection in order,
// in every order and direction, across pages.
func TestListWaysAgree(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	fill(t, s, 3000, true)
	// a second label on most records, through the triggers
	_, err := s.pool.Exec(ctxT(t), "UPDATE "+s.q.records+` SET labels = labels || jsonb_build_object('zone', 'z' || (substr(name, 6, 1)::int % 2 = 0)::text)
		WHERE substr(name, 6, 1) <> '9'`)
	require.NoError(t, err)
	for _, sel := range []store.ListOptions{
		{Filter: "c04"},
		{Labels: map[string]string{"tenant": "t7"}},
		{Filter: "example3", Labels: map[string]string{"tenant": "t10"}},
		{Labels: map[string]string{"tenant": "t11", "zone": "ztrue"}},
		{Filter: "c0", Labels: map[string]string{"tenant": "t21", "zone": "ztrue"}},
	} {
		ways := []plan{{way: walkRecords}, {way: gatherNames}, {way: gatherLabels}}
		for k := range sel.Labels {
			ways = append(ways, plan{way: walkLabel, label: k})
		}
		for _, sort := range []store.SortField{store.SortByName, store.SortByExpiry, store.SortByCreated} {
			for _, desc := range []bool{false, true} {
				opts := sel
				opts.Sort, opts.Desc = sort, desc
				want := selectedNames(t, s, opts)
				require.NotEmpty(t, want, "%+v", opts)
				for _, p := range ways {
					require.Equal(t, want, pagesOf(t, s, opts, p, 7), "%+v read as %+v", opts, p)
				}
			}
		}
	}
}

// selectedNames returns the names opts selects in its order, by a plain
// query.
func selectedNames(t *testing.T, s *Store, opts store.ListOptions) []string {
	query, args := selectedInOrder(s.q, opts)
	rows, err := s.pool.Query(ctxT(t), query, args...)
	require.NoError(t, err)
	names := []string{}
	for rows.Next() {
		var r row
		require.NoError(t, rows.Scan(r.dest()...))
		names = append(names, r.name)
	}
	require.NoError(t, rows.Err())
	return names
}

// pagesOf returns the names of every page of limit records of opts read
// as p says, following the cursors.
func pagesOf(t *testing.T, s *Store, opts store.ListOptions, p plan, limit int) []string {
	names := []string{}
	var pos *cursor
	for {
		query, args := s.q.list(opts, pos, limit, p)
		rows, err := s.pool.Query(ctxT(t), query, args...)
		require.NoError(t, err)
		var last *row
		n := 0
		for rows.Next() {
			var r row
			require.NoError(t, rows.Scan(r.dest()...))
			names = append(names, r.name)
			last, n = &r, n+1
		}
		require.NoError(t, rows.Err())
		if n < limit {
			return names
		}
		pos, err = decodeCursor(encodeCursor(last, opts), opts)
		require.NoError(t, err)
	}
}

// explain returns the JSON plan of query.
func explain(t *testing.T, s *Store, query string, args []any) string {
	t.Helper()
	var plan []byte
	require.NoError(t, s.pool.QueryRow(ctxT(t), "EXPLAIN (FORMAT JSON) "+query, args...).Scan(&plan))
	var v any
	require.NoError(t, json.Unmarshal(plan, &v))
	b, err := json.MarshalIndent(v, "", " ")
	require.NoError(t, err)
	return string(b)
}

// TestScan: Scan hands every record to fn, damaged ones as
// *store.DamagedError, in name order across pages; fn may call the store;
// fn's error stops it.
func TestScan(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := ctxT(t)
	const n = scanPage*2 + 7
	fill(t, s, n, false)
	damage(t, s, fillName(5))
	var names, damaged []string
	err := store.ScanAll(ctx, s, func(rec *store.Record, d *store.DamagedError) error {
		if d != nil {
			damaged = append(damaged, d.Name)
			return nil
		}
		if _, err := s.GetBlob(ctx, "missing"); !strings.Contains(fmt.Sprint(err), "not found") {
			return fmt.Errorf("calling the store from fn: %v", err)
		}
		names = append(names, rec.Name)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{fillName(5)}, damaged)
	require.Len(t, names, n-1)
	require.True(t, slices.IsSorted(names))
	stop := fmt.Errorf("stop")
	calls := 0
	err = s.Scan(ctx, func(*store.Record, *store.DamagedError) error { calls++; return stop })
	require.Equal(t, stop, err)
	require.Equal(t, 1, calls)
}
