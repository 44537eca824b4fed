package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/metrics"
)

// metricsCached never collects during a scrape within the test.
func metricsCached() metrics.Options { return metrics.Options{MaxAge: time.Hour} }

// TestCollectionMaxAge: a scrape collects anew only when the last
// collection is older than MaxAge (never with a negative MaxAge); Refresh
// always does.
func TestCollectionMaxAge(t *testing.T) {
	t.Parallel()
	active := key("certs_certificates", "status", "active", "source", "custom")
	for _, tc := range []struct {
		name        string
		maxAge      time.Duration
		seenAtOnce  bool // the import shows at the next scrape
		seenRefresh bool
	}{
		{"older than MaxAge: collected during the scrape", time.Nanosecond, true, true},
		{"within MaxAge: the last collection", time.Hour, false, true},
		{"negative: only Refresh collects", -1, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{metrics: metrics.Options{MaxAge: tc.maxAge}})
			require.Equal(t, 0.0, e.scrape()[active])
			at := e.scrape()[key("certs_collection_timestamp_seconds")]
			e.importCustom("new.example.com", 90*24*time.Hour)
			require.Equal(t, b2f(tc.seenAtOnce), e.scrape()[active])
			require.NoError(t, e.mx.Refresh(t.Context()))
			got := e.scrape()
			require.Equal(t, b2f(tc.seenRefresh), got[active])
			require.Greater(t, got[key("certs_collection_timestamp_seconds")], at)
		})
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestCertificateSeriesCap: MaxCertificateSeries keeps the per-certificate
// series of the certificates that expire first and counts the others; the
// counts by status cover every certificate.
func TestCertificateSeriesCap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		max     int
		kept    []string
		omitted float64
	}{
		{"default keeps all", 0, []string{"d10", "d20", "d30", "d40"}, 0},
		{"two: the soonest to expire", 2, []string{"d10", "d20"}, 2},
		{"one", 1, []string{"d10"}, 3},
		{"negative: none", -1, nil, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{metrics: metrics.Options{MaxAge: -1, MaxCertificateSeries: tc.max, PageSize: 1}})
			for _, days := range []int{30, 10, 40, 20} { // not in name order nor expiry order
				e.importCustom(fmt.Sprintf("d%d.example.com", days), time.Duration(days)*24*time.Hour)
			}
			require.NoError(t, e.mx.Refresh(t.Context()))
			got := e.scrape()
			var kept []string
			for _, name := range []string{"d10", "d20", "d30", "d40"} {
				if _, ok := got[key("certs_certificate_expiry_timestamp_seconds", "hostname", name+".example.com", "source", "custom", "key_type", "ecdsa")]; ok {
					kept = append(kept, name)
				}
			}
			require.Equal(t, tc.kept, kept)
			require.Equal(t, tc.omitted, got[key("certs_certificate_series_omitted")])
			require.Equal(t, 1.0, got[key("certs_certificates", "status", "active", "source", "custom")])
			require.Equal(t, 3.0, got[key("certs_certificates", "status", "expiring_soon", "source", "custom")], "30 days and less")
		})
	}
}

// TestFailedCollectionKeepsThePrevious: a collection that fails (here, its
// context is cancelled) leaves the previous one in place and is counted.
func TestFailedCollectionKeepsThePrevious(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{metrics: metrics.Options{MaxAge: -1}})
	e.importCustom("shop.example.com", 90*24*time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, e.mx.Refresh(ctx), context.Canceled)
	got := e.scrape()
	require.Equal(t, 1.0, got[key("certs_collection_errors_total")])
	require.Equal(t, 0.0, got[key("certs_certificates", "status", "active", "source", "custom")], "the collection of New")
	require.NoError(t, e.mx.Refresh(t.Context()))
	require.Equal(t, 1.0, e.scrape()[key("certs_certificates", "status", "active", "source", "custom")])
}
