package pgstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fillSQL inserts $1 synthetic records in one statement: names
// hNNNNNNN.cMMM.exampleK.com (1 in 1000 share a cMMM, 1 in 7 an
// exampleK), creation and expiry orders unlike the name order with ties,
// one in ten records without a certificate, a tenant label among 100 and,
// on three in ten, a zone label among 3,
// 1.5 kB of data and a 250-byte secret, as a certificate record has.
const fillSQL = `INSERT INTO {s}.records
	(name, created_at, created_nsec, updated_at, updated_nsec, expires_at, expires_nsec, data, labels, secrets, version)
SELECT format('h%s.c%s.example%s.com', lpad(i::text, 7, '0'), lpad((i % 1000)::text, 3, '0'), i % 7),
	timestamptz '2026-01-01' + ((i::bigint * 7919) % $1) * interval '1 second', i % 1000,
	timestamptz '2026-01-01', 0,
	CASE WHEN i % 10 = 0 THEN 'infinity' ELSE timestamptz '2026-03-01' + ((i::bigint * 104729) % $1) * interval '1 minute' END, 0,
	convert_to(repeat(md5(i::text), 47), 'UTF8'),
	jsonb_build_object('tenant', 't' || (i % 100)) || CASE WHEN i % 10 < 3 THEN jsonb_build_object('zone', 'z' || (i % 3)) ELSE '{}' END,
	'\x010108'::bytea || convert_to('acme.key', 'UTF8') || '\xfa01'::bytea || decode(repeat(md5(i::text), 8), 'hex') || decode(repeat('ab', 122), 'hex'),
	nextval('{s}.record_versions')
FROM generate_series(1, $1::int) i`

// fill adds n synthetic records (see fillSQL) to s's empty store. With
// fast, it bypasses the triggers (a bulk load; Total and record_labels are
// filled after), else every row goes through them as a Put would. It ends
// with VACUUM ANALYZE, as autovacuum would after a while (it also merges
// the GIN indexes' pending entries, which a bulk load leaves).
func fill(tb testing.TB, s *Store, n int, fast bool) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	conn, err := s.pool.Acquire(ctx)
	require.NoError(tb, err)
	defer conn.Release()
	start := time.Now()
	if fast {
		_, err = conn.Exec(ctx, render("ALTER TABLE {s}.records DISABLE TRIGGER USER", s.schema))
		require.NoError(tb, err)
	}
	_, err = conn.Exec(ctx, render(fillSQL, s.schema), n)
	require.NoError(tb, err)
	if fast {
		_, err = conn.Exec(ctx, render("ALTER TABLE {s}.records ENABLE TRIGGER USER", s.schema))
		require.NoError(tb, err)
		_, err = conn.Exec(ctx, render("UPDATE {s}.state SET total = (SELECT count(*) FROM {s}.records)", s.schema))
		require.NoError(tb, err)
		_, err = conn.Exec(ctx, render(backfillLabels, s.schema))
		require.NoError(tb, err)
	}
	for _, table := range []string{"records", "record_labels"} {
		_, err = conn.Exec(ctx, render("VACUUM ANALYZE {s}."+table, s.schema))
		require.NoError(tb, err)
	}
	tb.Logf("filled %d records in %s", n, time.Since(start).Round(time.Millisecond))
}

// fillName is the name fillSQL gives record i.
func fillName(i int) string {
	return fmt.Sprintf("h%07d.c%03d.example%d.com", i, i%1000, i%7)
}
