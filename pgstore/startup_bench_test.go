package pgstore

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// startupSizes are the stored hostname counts of BenchmarkStartup, as in
// the root package's: set CERTS_BENCH_1M=1 to add a million (about 3 GB
// of database and several minutes to load).
func startupSizes() []int {
	sizes := []int{10_000, 100_000}
	if os.Getenv("CERTS_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

// startupName is the hostname of the i-th record fillHosts stores.
func startupName(i int) string { return fmt.Sprintf("h%07d.example.com", i) }

// hostRecords returns a function making the record of startupName(i), as
// a Manager stores it: a custom certificate and its key, imported once
// through the public API on a memory store and cloned under every name
// (the hostname rewritten in the record's data; the certificate is the
// same for all, which start-up does not check).
func hostRecords(tb testing.TB) func(i int) *store.Record {
	tb.Helper()
	ctx := context.Background()
	first := startupName(0)
	ca := testpki.NewCA(tb)
	leaf := ca.Leaf(tb, []string{first}, testpki.LeafOptions{})
	mem := store.NewMemory()
	m, err := certs.New(certs.Config{Store: mem, Roots: ca.Pool(), Logger: quiet()})
	require.NoError(tb, err)
	_, err = m.Import(ctx, first, certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
	require.NoError(tb, err)
	tmpl, err := mem.Get(ctx, first)
	require.NoError(tb, err)
	require.Contains(tb, string(tmpl.Data), `"hostname":"`+first+`"`)
	return func(i int) *store.Record {
		rec := tmpl.Clone()
		rec.Name = startupName(i)
		rec.Data = bytes.ReplaceAll(tmpl.Data, []byte(first), []byte(rec.Name))
		return rec
	}
}

// fillHosts bulk-loads n Manager records (see hostRecords) into s's empty
// store with COPY, in no order of names, each row encoded as Put encodes
// it, with the triggers off (Total and record_labels are filled after, as
// fill does), then VACUUM ANALYZE, as autovacuum would after a while.
func fillHosts(tb testing.TB, s *Store, n int) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	start := time.Now()
	record := hostRecords(tb)
	conn, err := s.pool.Acquire(ctx)
	require.NoError(tb, err)
	defer conn.Release()
	exec := func(sql string, args ...any) {
		_, err := conn.Exec(ctx, render(sql, s.schema), args...)
		require.NoError(tb, err, sql)
	}
	exec("ALTER TABLE {s}.records DISABLE TRIGGER USER")
	i := 0
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{s.schema, "records"},
		[]string{"name", "created_at", "created_nsec", "updated_at", "updated_nsec", "expires_at", "expires_nsec", "data", "labels", "secrets", "version"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			// Rows in an order unrelated to their names (7919 is prime to
			// every n = 10^k), as hostnames added over the years lie in a
			// real table: Scan reads in name order, so each row is a jump
			// in the table, not the next one on the page.
			return append(newRow(record((i-1)*7919%n)).args(), int64(i)), nil
		}))
	require.NoError(tb, err)
	require.EqualValues(tb, n, copied)
	exec("SELECT setval('{s}.record_versions', $1)", int64(n))
	exec("ALTER TABLE {s}.records ENABLE TRIGGER USER")
	exec("UPDATE {s}.state SET total = (SELECT count(*) FROM {s}.records)")
	exec(backfillLabels) // none: the Manager's records here have no labels
	exec("VACUUM ANALYZE {s}.records")
	exec("VACUUM ANALYZE {s}.record_labels")
	var size string
	require.NoError(tb, conn.QueryRow(ctx, render("SELECT pg_size_pretty(pg_total_relation_size('{s}.records'))", s.schema)).Scan(&size))
	tb.Logf("loaded %d host records (%s with indexes) in %s", n, size, time.Since(start).Round(time.Millisecond))
}

// BenchmarkStartup is the root package's BenchmarkStartup on PostgreSQL:
// at each size, New (every stored hostname read through Scan, decoded, its
// key parsed and indexed) and the heap it keeps per hostname; and, with
// BackgroundLoad, opening a new Store (connecting, checking the schema) plus
// New plus the first handshake lookup of a stored name. The database is
// loaded once for both, and emptied after them.
func BenchmarkStartup(b *testing.B) {
	for _, n := range startupSizes() {
		dsn, _ := newDB(b) // lives until the parent ends
		s := newStoreDSN(b, dsn, Config{})
		loaded := false
		filled := func(sub *testing.B) *Store {
			if !loaded { // at the first sub-benchmark that runs
				fillHosts(sub, s, n)
				loaded = true
			}
			return s
		}
		name := fmt.Sprintf("pg/%dk", n/1000)
		b.Run(name, func(b *testing.B) { benchNew(b, filled(b), n) })
		b.Run(name+"/background", func(b *testing.B) {
			filled(b)
			benchBackground(b, func() (store.Store, func()) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				st, err := New(ctx, Config{DSN: dsn, Logger: quiet()})
				require.NoError(b, err)
				return st, st.Close
			}, startupName(n-1))
		})
		if loaded { // free the disk before the next size
			_, err := s.pool.Exec(context.Background(), render("TRUNCATE {s}.records", s.schema))
			require.NoError(b, err)
		}
	}
}

// benchNew measures certs.New on st, which holds n hostnames, and the heap
// the Manager keeps per hostname.
func benchNew(b *testing.B, st store.Store, n int) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	var m *certs.Manager
	for b.Loop() {
		var err error
		if m, err = certs.New(certs.Config{Store: st, Logger: quiet()}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	if d := m.Damaged(); len(d) > 0 {
		b.Fatalf("%d damaged records, the first: %v", len(d), d[0].Err)
	}
	if _, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: startupName(n - 1)}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heapB/host")
	runtime.KeepAlive(m)
}

// benchBackground measures how soon a stored name is servable after a
// start: opening the store (open returns it and a function closing it),
// certs.New with BackgroundLoad and the first handshake lookup of name. It
// also reports the opening alone (open-ns/op) and, untimed, how long the
// background load took to end (loaded-ns/op, from New).
func benchBackground(b *testing.B, open func() (store.Store, func()), name string) {
	b.Helper()
	hello := &tls.ClientHelloInfo{ServerName: name}
	var opening, loading time.Duration
	for b.Loop() {
		start := time.Now()
		st, closeStore := open()
		opened := time.Now()
		opening += opened.Sub(start)
		m, err := certs.New(certs.Config{Store: st, Logger: quiet(), BackgroundLoad: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.GetCertificate(hello); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := m.Loaded(context.Background()); err != nil {
			b.Fatal(err)
		}
		loading += time.Since(opened)
		closeStore()
		b.StartTimer()
	}
	b.ReportMetric(float64(opening.Nanoseconds())/float64(b.N), "open-ns/op")
	b.ReportMetric(float64(loading.Nanoseconds())/float64(b.N), "loaded-ns/op")
}
