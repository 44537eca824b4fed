package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// listFixture stores 23 records whose expiry and creation orders differ
// from their name order, with ties and zero expiries, and returns them.
func listFixture(t *testing.T, s store.Store) []*store.Record {
	t.Helper()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []*store.Record
	for i := range 23 {
		r := &store.Record{
			Name: fmt.Sprintf("h%02d.example.com", i),
			// Creation times repeat every 4 records: ties broken by name.
			CreatedAt: base.Add(time.Duration(i%4) * time.Minute),
			Data:      []byte{byte(i)},
		}
		if i%3 != 0 { // every third record has no certificate yet
			r.ExpiresAt = base.Add(time.Duration((i*7)%11) * time.Hour)
		}
		recs = append(recs, r)
	}
	recs = append(recs, &store.Record{Name: "other.test", CreatedAt: base})
	for _, r := range recs {
		require.NoError(t, s.Put(context.Background(), r))
	}
	return recs
}

// expectedOrder computes the names List must return, independently of the
// store's implementation.
func expectedOrder(recs []*store.Record, opts store.ListOptions) []string {
	var keep []*store.Record
	for _, r := range recs {
		if strings.Contains(r.Name, opts.Filter) {
			keep = append(keep, r)
		}
	}
	less := func(a, b *store.Record) bool {
		switch opts.Sort {
		case store.SortByExpiry:
			if a.ExpiresAt.IsZero() != b.ExpiresAt.IsZero() {
				return !a.ExpiresAt.IsZero()
			}
			if !a.ExpiresAt.Equal(b.ExpiresAt) {
				return a.ExpiresAt.Before(b.ExpiresAt)
			}
		case store.SortByCreated:
			if !a.CreatedAt.Equal(b.CreatedAt) {
				return a.CreatedAt.Before(b.CreatedAt)
			}
		}
		return a.Name < b.Name
	}
	slices.SortFunc(keep, func(a, b *store.Record) int {
		if less(a, b) {
			return -1
		}
		return 1
	})
	var names []string // nil when empty, like listAll's
	for _, r := range keep {
		names = append(names, r.Name)
	}
	if opts.Desc {
		slices.Reverse(names)
	}
	return names
}

// listAll pages through List and returns every name, checking that pages
// respect the limit and agree on Total, and that nothing is damaged.
func listAll(t *testing.T, s store.Store, opts store.ListOptions) []string {
	t.Helper()
	names, damaged := listPages(t, s, opts)
	require.Empty(t, damaged, "List reported damaged records in a store nobody damaged")
	return names
}

// listPages pages through List and returns the names of the readable
// records and of the damaged ones, in order, checking that pages respect
// the limit, agree on Total and add up to it, and that each damaged entry
// is whole.
func listPages(t *testing.T, s store.Store, opts store.ListOptions) (names, damaged []string) {
	t.Helper()
	total := -1
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "List never returned an empty NextCursor")
		res, err := s.List(context.Background(), opts)
		require.NoError(t, err)
		if total >= 0 {
			require.Equal(t, total, res.Total, "Total changed between pages")
		}
		total = res.Total
		onPage := len(res.Records) + len(res.Damaged)
		if opts.Limit > 0 {
			require.LessOrEqual(t, onPage, opts.Limit)
		}
		for _, r := range res.Records {
			names = append(names, r.Name)
		}
		for _, d := range res.Damaged {
			require.ErrorIs(t, d, store.ErrDamaged)
			require.NoError(t, store.CheckName(d.Name), "a damaged entry without a record name")
			damaged = append(damaged, d.Name)
		}
		if res.NextCursor == "" {
			break
		}
		require.Equal(t, opts.Limit, onPage, "a page before the last one is short")
		opts.Cursor = res.NextCursor
	}
	require.Equal(t, total, len(names)+len(damaged), "pages do not add up to Total")
	return names, damaged
}

func testList(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()
	t.Run("empty store", func(t *testing.T) {
		res, err := newStore(t).List(ctx, store.ListOptions{})
		require.NoError(t, err)
		require.Empty(t, res.Records)
		require.Zero(t, res.Total)
		require.Empty(t, res.NextCursor)
	})
	t.Run("order and paging", func(t *testing.T) {
		s := newStore(t)
		recs := listFixture(t, s)
		sorts := map[string]store.SortField{"name": store.SortByName, "expiry": store.SortByExpiry, "created": store.SortByCreated}
		for sortName, sort := range sorts {
			for _, desc := range []bool{false, true} {
				for _, filter := range []string{"", "example", "h1", "nothing-matches"} {
					for _, limit := range []int{0, 1, 4, 7, 23, 50} {
						opts := store.ListOptions{Sort: sort, Desc: desc, Filter: filter, Limit: limit}
						t.Run(fmt.Sprintf("%s desc=%v filter=%q limit=%d", sortName, desc, filter, limit), func(t *testing.T) {
							require.Equal(t, expectedOrder(recs, opts), listAll(t, s, opts))
						})
					}
				}
			}
		}
	})
	t.Run("records carry every field", func(t *testing.T) {
		s := newStore(t)
		want := sampleRecord("example.com")
		require.NoError(t, s.Put(ctx, want))
		res, err := s.List(ctx, store.ListOptions{})
		require.NoError(t, err)
		require.Len(t, res.Records, 1)
		requireSameRecord(t, want, res.Records[0])
	})
	t.Run("labels select records", func(t *testing.T) {
		s := newStore(t)
		for i, tenant := range []string{"a", "b", "a", "", "a"} {
			r := sampleRecord(fmt.Sprintf("l%d.example.com", i))
			r.Labels = nil
			if tenant != "" {
				r.Labels = map[string]string{"tenant": tenant, "tier": fmt.Sprint(i % 2)}
			}
			require.NoError(t, s.Put(ctx, r))
		}
		for _, tc := range []struct {
			labels map[string]string
			want   []string
		}{
			{map[string]string{"tenant": "a"}, []string{"l0.example.com", "l2.example.com", "l4.example.com"}},
			{map[string]string{"tenant": "a", "tier": "0"}, []string{"l0.example.com", "l2.example.com", "l4.example.com"}},
			{map[string]string{"tenant": "b", "tier": "0"}, nil},
			{map[string]string{"tenant": "c"}, nil},
		} {
			for _, sort := range []store.SortField{store.SortByName, store.SortByExpiry} {
				names := listAll(t, s, store.ListOptions{Labels: tc.labels, Sort: sort, Limit: 2})
				require.ElementsMatch(t, tc.want, names, "labels %v sort %d", tc.labels, sort)
				res, err := s.List(ctx, store.ListOptions{Labels: tc.labels})
				require.NoError(t, err)
				require.Equal(t, len(tc.want), res.Total, "Total counts the selected records")
			}
		}
		got, err := s.Get(ctx, "l1.example.com")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"tenant": "b", "tier": "1"}, got.Labels, "labels are stored")
	})
	t.Run("default limit is 100", func(t *testing.T) {
		s := newStore(t)
		for i := range 101 {
			require.NoError(t, s.Put(ctx, &store.Record{Name: fmt.Sprintf("h%03d.example.com", i)}))
		}
		res, err := s.List(ctx, store.ListOptions{})
		require.NoError(t, err)
		require.Len(t, res.Records, store.DefaultListLimit)
		require.Equal(t, 101, res.Total)
		require.NotEmpty(t, res.NextCursor)
		res, err = s.List(ctx, store.ListOptions{Cursor: res.NextCursor})
		require.NoError(t, err)
		require.Len(t, res.Records, 1)
		require.Equal(t, "h100.example.com", res.Records[0].Name)
		require.Empty(t, res.NextCursor)
	})
	t.Run("cursor survives changes", func(t *testing.T) {
		s := newStore(t)
		for _, n := range []string{"a.test", "c.test", "e.test"} {
			require.NoError(t, s.Put(ctx, &store.Record{Name: n}))
		}
		res, err := s.List(ctx, store.ListOptions{Limit: 2})
		require.NoError(t, err)
		require.NoError(t, s.Delete(ctx, "c.test")) // the cursor's own record
		require.NoError(t, s.Put(ctx, &store.Record{Name: "d.test"}))
		res, err = s.List(ctx, store.ListOptions{Limit: 2, Cursor: res.NextCursor})
		require.NoError(t, err)
		require.Equal(t, []string{"d.test", "e.test"}, []string{res.Records[0].Name, res.Records[1].Name})
	})
	t.Run("invalid options", func(t *testing.T) {
		s := newStore(t)
		listFixture(t, s)
		res, err := s.List(ctx, store.ListOptions{Limit: 2, Sort: store.SortByExpiry})
		require.NoError(t, err)
		require.NotEmpty(t, res.NextCursor)
		bad := map[string]store.ListOptions{
			"garbage cursor":       {Cursor: "not a cursor!"},
			"base64 of garbage":    {Cursor: "eyJ4IjoxfQ"},
			"cursor of other sort": {Cursor: res.NextCursor, Sort: store.SortByName},
			"cursor of other desc": {Cursor: res.NextCursor, Sort: store.SortByExpiry, Desc: true},
		}
		for label, opts := range bad {
			_, err := s.List(ctx, opts)
			require.ErrorIs(t, err, store.ErrInvalidCursor, label)
		}
		_, err = s.List(ctx, store.ListOptions{Limit: -1})
		require.Error(t, err, "negative limit")
		_, err = s.List(ctx, store.ListOptions{Sort: store.SortField(99)})
		require.Error(t, err, "unknown sort")
	})
}
