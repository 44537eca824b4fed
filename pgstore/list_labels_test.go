package pgstore

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// labelSelections are the selections the label tests list: one label,
// several, labels with a Filter, and ones nothing matches (empty).
var labelSelections = []struct {
	opts  store.ListOptions
	empty bool
}{
	{store.ListOptions{Labels: map[string]string{"tenant": "a"}}, false},
	{store.ListOptions{Labels: map[string]string{"tenant": "b"}}, false},
	{store.ListOptions{Labels: map[string]string{"zone": "x"}}, false},
	{store.ListOptions{Labels: map[string]string{"tenant": "a", "zone": "x"}}, false},
	{store.ListOptions{Labels: map[string]string{"tenant": "c", "zone": "y", "tier": "gold"}}, false},
	{store.ListOptions{Labels: map[string]string{"tenant": "a"}, Filter: "shop"}, false},
	{store.ListOptions{Labels: map[string]string{"tenant": "b", "zone": "y"}, Filter: "3.b.te"}, false},
	{store.ListOptions{Labels: map[string]string{"note": strings.Repeat("long value ", 400)}}, false},
	{store.ListOptions{Labels: map[string]string{"tenant": "Zürich ☃", "": ""}}, false},
	{store.ListOptions{Labels: map[string]string{"quote\"": "{}"}}, false},
	{store.ListOptions{Labels: map[string]string{"tenant": "a"}, Filter: "nothing-has-this"}, true},
	{store.ListOptions{Labels: map[string]string{"tenant": "nobody"}}, true},
	{store.ListOptions{Labels: map[string]string{"no-such-key": "a", "tenant": "a"}}, true},
}

// TestListLabelsBruteForce: records written through Put, PutIf and
// Delete (labels added, changed and removed, certificates renewed, records
// deleted and made again) are listed by labels, alone, several, with a
// Filter, in every order and direction, page by page, exactly as a
// filter and sort of the records in memory gives them, with their Total;
// so are they by every way List can read a page (see queries.list).
// record_labels holds what the records' labels say.
func TestListLabelsBruteForce(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := ctxT(t)
	recs := writeLabelled(t, s, 300)
	requireLabelsIndexed(t, s)
	for _, sel := range labelSelections {
		for _, sort := range []store.SortField{store.SortByName, store.SortByExpiry, store.SortByCreated} {
			for _, desc := range []bool{false, true} {
				opts := sel.opts
				opts.Sort, opts.Desc = sort, desc
				want := bruteForce(recs, opts)
				require.Equal(t, sel.empty, len(want) == 0, "%+v selects %d records", sel.opts, len(want))
				for _, limit := range []int{7, 100} {
					opts.Limit = limit
					got, total := listAll(t, s, opts)
					require.Equal(t, want, got, "List %+v", opts)
					require.Equal(t, len(want), total, "Total of %+v", opts)
				}
				ways := []plan{{way: walkRecords}, {way: gatherNames}, {way: gatherLabels}}
				for k := range sel.opts.Labels {
					ways = append(ways, plan{way: walkLabel, label: k})
				}
				for _, p := range ways {
					got := pagesOf(t, s, opts, p, 5)
					require.Equal(t, want, got, "%+v read as %+v", opts, p)
				}
			}
		}
	}
	// by hand, labels no Put writes: not strings
	_, err := s.pool.Exec(ctx, "UPDATE "+s.q.records+` SET labels = '{"tenant": "a", "n": 5, "z": null}' WHERE name = 'unicode.test'`)
	require.NoError(t, err)
	requireLabelsIndexed(t, s)
	_, err = s.pool.Exec(ctx, "TRUNCATE "+s.q.records)
	require.NoError(t, err)
	var n int
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT count(*) FROM "+s.q.labels).Scan(&n))
	require.Zero(t, n, "TRUNCATE left labels behind")
}

// writeLabelled writes n records with labels drawn from a few tenants,
// zones and tiers (some with none, one with a 4 kB label), expiry and
// creation times with ties (some without a certificate), then rewrites
// some of them (see rewrite), and returns what the store holds.
func writeLabelled(t *testing.T, s *Store, n int) map[string]*store.Record {
	ctx := ctxT(t)
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	recs := map[string]*store.Record{}
	put := func(rec *store.Record) {
		require.NoError(t, s.Put(ctx, rec))
		recs[rec.Name] = rec
	}
	labels := func() map[string]string {
		l := map[string]string{}
		for key, values := range map[string][]string{"tenant": {"a", "b", "c"}, "zone": {"x", "y"}, "tier": {"gold"}} {
			if rng.IntN(4) > 0 {
				l[key] = values[rng.IntN(len(values))]
			}
		}
		if len(l) == 0 && rng.IntN(2) == 0 {
			return nil
		}
		return l
	}
	stamp := func(spread int) time.Time {
		return base.Add(time.Duration(rng.IntN(spread))*time.Hour + time.Duration(rng.IntN(3))*time.Nanosecond)
	}
	for i := range n {
		rec := &store.Record{Name: fmt.Sprintf("%s%03d.%s.test", []string{"shop", "blog", "api"}[i%3], i, []string{"a", "b"}[rng.IntN(2)]),
			Labels: labels(), CreatedAt: stamp(20), UpdatedAt: base}
		if rng.IntN(5) > 0 {
			rec.ExpiresAt = stamp(30)
		}
		put(rec)
	}
	rewrite(t, s, recs, func(rec *store.Record) {
		rec.ExpiresAt = stamp(40)
	}, labels)
	put(&store.Record{Name: "long.label.test", Labels: map[string]string{"note": strings.Repeat("long value ", 400), "tenant": "a"}, CreatedAt: base})
	put(&store.Record{Name: "unicode.test", Labels: map[string]string{"tenant": "Zürich ☃", "": "", "quote\"": "{}"}, CreatedAt: base})
	return recs
}

// rewrite rewrites some of recs in s, and in recs: renewed, relabelled,
// deleted, deleted and made again, relabelled by a versioned write, made
// earlier, renamed by hand in SQL.
func rewrite(t *testing.T, s *Store, recs map[string]*store.Record, renew func(*store.Record), labels func() map[string]string) {
	ctx := ctxT(t)
	put := func(rec *store.Record) {
		require.NoError(t, s.Put(ctx, rec))
		recs[rec.Name] = rec
	}
	names := slices.Sorted(maps.Keys(recs))
	for i, name := range names {
		rec := recs[name].Clone()
		switch i % 7 {
		case 0: // renewed
			renew(rec)
			put(rec)
		case 1: // relabelled
			rec.Labels = labels()
			put(rec)
		case 2: // deleted
			require.NoError(t, s.Delete(ctx, name))
			delete(recs, name)
		case 3: // deleted, then made again
			require.NoError(t, s.Delete(ctx, name))
			rec.Labels = labels()
			put(rec)
		case 4: // relabelled by a versioned write
			_, v, err := s.GetVersion(ctx, name)
			require.NoError(t, err)
			rec.Labels = map[string]string{"tenant": "b", "zone": "y"}
			_, err = s.PutIf(ctx, rec, v)
			require.NoError(t, err)
			recs[name] = rec
		case 5: // its creation time changed
			rec.CreatedAt = rec.CreatedAt.Add(-time.Hour)
			put(rec)
		case 6: // renamed by hand in SQL
			_, err := s.pool.Exec(ctx, "UPDATE "+s.q.records+" SET name = 'r' || name WHERE name = $1", name)
			require.NoError(t, err)
			delete(recs, name)
			rec.Name = "r" + name
			recs[rec.Name] = rec
		}
	}
}

// bruteForce returns the names of the records opts selects, in its order,
// by filtering and sorting them in memory.
func bruteForce(recs map[string]*store.Record, opts store.ListOptions) []string {
	var sel []*store.Record
	for _, r := range recs {
		ok := strings.Contains(r.Name, opts.Filter)
		for k, v := range opts.Labels {
			if got, has := r.Labels[k]; !has || got != v {
				ok = false
			}
		}
		if ok {
			sel = append(sel, r)
		}
	}
	key := func(r *store.Record) time.Time {
		switch opts.Sort {
		case store.SortByExpiry:
			if r.ExpiresAt.IsZero() {
				return time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // no certificate: last
			}
			return r.ExpiresAt
		case store.SortByCreated:
			return r.CreatedAt
		}
		return time.Time{}
	}
	slices.SortFunc(sel, func(a, b *store.Record) int {
		c := key(a).Compare(key(b))
		if c == 0 {
			c = strings.Compare(a.Name, b.Name)
		}
		if opts.Desc {
			c = -c
		}
		return c
	})
	names := []string{}
	for _, r := range sel {
		names = append(names, r.Name)
	}
	return names
}

// listAll lists every page of opts through List and returns the names and
// the Total of the first page.
func listAll(t *testing.T, s *Store, opts store.ListOptions) ([]string, int) {
	names, total := []string{}, -1
	for {
		res, err := s.List(ctxT(t), opts)
		require.NoError(t, err)
		require.Empty(t, res.Damaged)
		require.LessOrEqual(t, len(res.Records), opts.Limit)
		if total < 0 {
			total = res.Total
		}
		for _, r := range res.Records {
			names = append(names, r.Name)
		}
		if res.NextCursor == "" {
			return names, total
		}
		opts.Cursor = res.NextCursor
	}
}

// requireLabelsIndexed checks that record_labels holds exactly an entry
// per label of every record, with the record's sort keys.
func requireLabelsIndexed(t *testing.T, s *Store) {
	t.Helper()
	diff := render(`SELECT count(*) FROM ((TABLE {s}.record_labels EXCEPT ALL (`+backfillSelect+`))
		UNION ALL ((`+backfillSelect+`) EXCEPT ALL TABLE {s}.record_labels)) d`, s.schema)
	var n int
	require.NoError(t, s.pool.QueryRow(ctxT(t), diff).Scan(&n))
	require.Zero(t, n, "record_labels differs from the records' labels")
}

// backfillSelect is backfillLabels' query of the entries the records'
// labels call for.
var backfillSelect = backfillLabels[strings.Index(backfillLabels, "SELECT"):strings.LastIndex(backfillLabels, ";")]

// TestMigrateLabels: a schema at version 1 holding labelled records (and
// a change feed) is migrated to the newest: record_labels is filled from
// the records, the feed is left as it was, List by labels gives what a
// plain query gives, and later writes keep record_labels in step.
func TestMigrateLabels(t *testing.T) {
	t.Parallel()
	dsn, _ := newDB(t)
	ctx := ctxT(t)
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	for _, sql := range []string{"CREATE SCHEMA certs", `CREATE TABLE certs.migrations (version integer PRIMARY KEY,
		description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`, render(migrations[0].sql, "certs"),
		"INSERT INTO certs.migrations (version, description) VALUES (1, 'v1')"} {
		_, err := conn.Exec(ctx, sql)
		require.NoError(t, err)
	}
	_, err = conn.Exec(ctx, render(fillSQL, "certs"), 3000) // through the version 1 triggers
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE certs.records SET labels = NULL WHERE name LIKE '%1.c%'`)
	require.NoError(t, err)
	var feed int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT last_seq FROM certs.state").Scan(&feed))

	s := newStoreDSN(t, dsn, Config{})
	var version int
	require.NoError(t, conn.QueryRow(ctx, "SELECT max(version) FROM certs.migrations").Scan(&version))
	require.Equal(t, len(migrations), version)
	last, err := s.LastChange(ctx)
	require.NoError(t, err)
	require.Equal(t, feed, last, "the migration wrote to the change feed")
	requireLabelsIndexed(t, s)
	require.NoError(t, s.Put(ctx, &store.Record{Name: "new.test", Labels: map[string]string{"tenant": "t7"}}))
	require.NoError(t, s.Delete(ctx, fillName(7)))
	requireLabelsIndexed(t, s)
	for _, sort := range []store.SortField{store.SortByName, store.SortByExpiry, store.SortByCreated} {
		for _, desc := range []bool{false, true} {
			opts := store.ListOptions{Labels: map[string]string{"tenant": "t7"}, Sort: sort, Desc: desc, Limit: 9}
			want := selectedNames(t, s, opts)
			require.Contains(t, want, "new.test")
			require.NotContains(t, want, fillName(7))
			got, total := listAll(t, s, opts)
			require.Equal(t, want, got, "%+v", opts)
			require.Equal(t, len(want), total)
		}
	}
}

// TestLabelTriggerUsesIndex: the trigger's delete of a record's old
// entries looks them up in record_labels' primary key, whatever the size
// of the table (a join the planner would pick for a small one scans the
// whole table on every write).
func TestLabelTriggerUsesIndex(t *testing.T) {
	t.Parallel()
	dsn, db := newDB(t)
	s := newStoreDSN(t, dsn, Config{})
	fill(t, s, 5000, true)
	ctx := ctxT(t)
	cfg, err := pgx.ParseConfig(srv.AdminDSN(db))
	require.NoError(t, err)
	var plans []string
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { plans = append(plans, n.Message) }
	conn, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LOAD 'auto_explain'"); err != nil {
		t.Skipf("auto_explain is not installed: %v", err)
	}
	for _, set := range []string{"log_min_duration = 0", "log_nested_statements = on", "log_level = 'notice'"} {
		_, err := conn.Exec(ctx, "SET auto_explain."+set)
		require.NoError(t, err)
	}
	for i := range 8 { // past the 5 custom plans, to the cached one
		_, err := conn.Exec(ctx, "UPDATE certs.records SET expires_at = now() WHERE name = $1", fillName(i+1))
		require.NoError(t, err)
	}
	var deletes []string
	for _, p := range plans {
		if strings.Contains(p, "DELETE FROM") {
			deletes = append(deletes, p)
		}
	}
	require.Len(t, deletes, 8, strings.Join(plans, "\n"))
	for _, p := range deletes {
		require.Contains(t, p, "record_labels_pkey")
		require.NotContains(t, p, "Seq Scan on record_labels")
	}
}
