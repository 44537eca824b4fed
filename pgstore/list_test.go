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
// the table; a selective filter goes through the trigram index. (The plan,
// not a timing, is what holds at any size: see BenchmarkList.)
func TestListUsesIndexes(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	fill(t, s, 20000, true)
	ctx := ctxT(t)
	indexes := map[store.SortField]string{store.SortByName: "records_pkey", store.SortByExpiry: "records_by_expiry", store.SortByCreated: "records_by_created"}
	for sort, index := range indexes {
		for _, desc := range []bool{false, true} {
			opts := store.ListOptions{Sort: sort, Desc: desc}
			first, err := s.List(ctx, opts)
			require.NoError(t, err)
			pos, err := decodeCursor(first.NextCursor, opts)
			require.NoError(t, err)
			for label, p := range map[string]*cursor{"first": nil, "deep": pos} {
				query, args := s.q.list(opts, p, 101, false)
				plan := explain(t, s, query, args)
				name := fmt.Sprintf("sort %d desc %v %s page", sort, desc, label)
				require.Contains(t, plan, `"Index Name": "`+index+`"`, name)
				require.NotContains(t, plan, `"Node Type": "Sort"`, name)
				require.NotContains(t, plan, `"Node Type": "Seq Scan"`, name)
			}
		}
	}
	query, args := s.q.list(store.ListOptions{Filter: fillName(12345)}, nil, 101, true)
	require.Contains(t, explain(t, s, query, args), `"Index Name": "records_name_trgm"`)
	query, args = s.q.list(store.ListOptions{Labels: map[string]string{"tenant": "t7"}}, nil, 101, true)
	require.Contains(t, explain(t, s, query, args), `"Index Name": "records_by_labels"`)
}

// TestListGatherAndWalkAgree: both ways of reading a selected page (see
// queries.list) give the same pages, in every order and direction.
func TestListGatherAndWalkAgree(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	fill(t, s, 3000, true)
	ctx := ctxT(t)
	for _, sel := range []store.ListOptions{{Filter: "c04"}, {Labels: map[string]string{"tenant": "t7"}}, {Filter: "example3", Labels: map[string]string{"tenant": "t10"}}} {
		for _, sort := range []store.SortField{store.SortByName, store.SortByExpiry, store.SortByCreated} {
			for _, desc := range []bool{false, true} {
				opts := sel
				opts.Sort, opts.Desc = sort, desc
				var pages [2][]string
				for i, gather := range []bool{false, true} {
					var pos *cursor
					for {
						query, args := s.q.list(opts, pos, 7, gather)
						rows, err := s.pool.Query(ctx, query, args...)
						require.NoError(t, err)
						var last *row
						n := 0
						for rows.Next() {
							var r row
							require.NoError(t, rows.Scan(r.dest()...))
							pages[i] = append(pages[i], r.name)
							last, n = &r, n+1
						}
						require.NoError(t, rows.Err())
						if n < 7 {
							break
						}
						pos, err = decodeCursor(encodeCursor(last, opts), opts)
						require.NoError(t, err)
					}
				}
				require.NotEmpty(t, pages[0])
				require.Equal(t, pages[0], pages[1], "%+v", opts)
			}
		}
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
