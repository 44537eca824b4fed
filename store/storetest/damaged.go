package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// testDamaged damages records through damage and checks how the store
// reports them; it is skipped when damage is nil.
func testDamaged(t *testing.T, newStore func(t *testing.T) store.Store, damage func(t *testing.T, s store.Store, name string)) {
	if damage == nil {
		t.Skip("Options.Damage is nil: the backend cannot be damaged from outside")
	}
	ctx := context.Background()
	// One damaged record with an expiry, one without, one alone under its
	// filter: damage must not move or hide the others in any order.
	bad := []string{"h04.example.com", "h09.example.com", "other.test"}
	setup := func(t *testing.T) (store.Store, []*store.Record) {
		s := newStore(t)
		recs := listFixture(t, s)
		for _, name := range bad {
			damage(t, s, name)
		}
		return s, recs
	}
	t.Run("Get reports it", func(t *testing.T) {
		s, recs := setup(t)
		for _, name := range bad {
			_, err := s.Get(ctx, name)
			requireDamaged(t, err, name)
		}
		for _, r := range recs {
			if !slices.Contains(bad, r.Name) {
				_, err := s.Get(ctx, r.Name)
				require.NoError(t, err, "damaging another record broke %s", r.Name)
			}
		}
	})
	t.Run("List skips and reports it", func(t *testing.T) {
		s, recs := setup(t)
		testDamagedList(t, s, recs, bad)
	})
	t.Run("Delete removes it", func(t *testing.T) {
		s, recs := setup(t)
		for _, name := range bad {
			require.NoError(t, s.Delete(ctx, name))
			_, err := s.Get(ctx, name)
			require.ErrorIs(t, err, store.ErrNotFound)
		}
		names, damaged := listPages(t, s, store.ListOptions{Limit: 5})
		require.Empty(t, damaged)
		require.Len(t, names, len(recs)-len(bad))
	})
}

// testDamagedList lists the store in every order and checks that the
// readable records come in their order, that each damaged record is
// reported once, and that Total counts both.
func testDamagedList(t *testing.T, s store.Store, recs []*store.Record, bad []string) {
	var good []*store.Record
	for _, r := range recs {
		if !slices.Contains(bad, r.Name) {
			good = append(good, r)
		}
	}
	sorts := map[string]store.SortField{"name": store.SortByName, "expiry": store.SortByExpiry, "created": store.SortByCreated}
	for sortName, sort := range sorts {
		for _, desc := range []bool{false, true} {
			for _, filter := range []string{"", "h0", "other"} {
				for _, limit := range []int{0, 1, 2, 5} {
					opts := store.ListOptions{Sort: sort, Desc: desc, Filter: filter, Limit: limit}
					t.Run(fmt.Sprintf("%s desc=%v filter=%q limit=%d", sortName, desc, filter, limit), func(t *testing.T) {
						names, damaged := listPages(t, s, opts)
						require.Equal(t, expectedOrder(good, opts), names)
						var want []string
						for _, name := range bad {
							if strings.Contains(name, filter) {
								want = append(want, name)
							}
						}
						require.ElementsMatch(t, want, damaged, "each damaged record must be reported once")
					})
				}
			}
		}
	}
}

// requireDamaged checks that err reports the record called name as
// damaged.
func requireDamaged(t *testing.T, err error, name string) {
	t.Helper()
	require.ErrorIs(t, err, store.ErrDamaged)
	require.NotErrorIs(t, err, store.ErrNotFound, "a damaged record is not a missing one")
	var de *store.DamagedError
	require.ErrorAs(t, err, &de)
	require.Equal(t, name, de.Name)
	require.True(t, strings.HasPrefix(err.Error(), "store: "), err.Error())
	require.Contains(t, err.Error(), name)
}
