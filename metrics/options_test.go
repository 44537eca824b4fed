package metrics_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/metrics"
	"github.com/certs-dev/certs/store"
)

func plainManager(t *testing.T) *certs.Manager {
	t.Helper()
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Logger: slog.New(slog.DiscardHandler), DisableOCSPStapling: true})
	require.NoError(t, err)
	return m
}

// TestNewRejects: New refuses what it cannot work with, and a second
// Metrics on one registry until the first is closed.
func TestNewRejects(t *testing.T) {
	t.Parallel()
	m := plainManager(t)
	for _, tc := range []struct {
		name string
		m    *certs.Manager
		opts metrics.Options
	}{
		{"no Manager", nil, metrics.Options{}},
		{"negative Timeout", m, metrics.Options{Timeout: -1}},
		{"negative PageSize", m, metrics.Options{PageSize: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := metrics.New(tc.m, nil, tc.opts)
			require.ErrorIs(t, err, metrics.ErrInvalidOptions)
		})
	}
	t.Run("twice on one registry, then after Close", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		first, err := metrics.New(m, reg, metrics.Options{})
		require.NoError(t, err)
		_, err = metrics.New(m, reg, metrics.Options{})
		var are prometheus.AlreadyRegisteredError
		require.ErrorAs(t, err, &are)
		first.Close()
		first.Close()
		second, err := metrics.New(m, reg, metrics.Options{})
		require.NoError(t, err)
		second.Close()
	})
}

// TestRegisterers: with no Registerer the Metrics serve a registry of
// their own; with one that cannot be gathered (a prefixing wrapper), they
// register there and serve their own metrics too.
func TestRegisterers(t *testing.T) {
	t.Parallel()
	m := plainManager(t)
	outer := prometheus.NewRegistry()
	for _, tc := range []struct {
		name string
		reg  prometheus.Registerer
	}{
		{"none", nil},
		{"not a Gatherer", prometheus.WrapRegistererWithPrefix("app_", outer)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mx, err := metrics.New(m, tc.reg, metrics.Options{})
			require.NoError(t, err)
			defer mx.Close()
			srv := httptest.NewServer(mx.Handler())
			defer srv.Close()
			require.Contains(t, scrapeURL(t, srv.URL), key("certs_hostnames", "status", "active"))
		})
	}
	n, err := testutil.GatherAndCount(outer, "app_certs_hostnames")
	require.NoError(t, err)
	require.Equal(t, 0, n, "unregistered by Close")
}

// TestWrapDecide counts the policy's answers; a second wrapper on the same
// registry shares the counters.
func TestWrapDecide(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	policy := certs.AllowNames("ok.example.com")
	first, err := metrics.WrapDecide(reg, policy)
	require.NoError(t, err)
	second, err := metrics.WrapDecide(reg, policy)
	require.NoError(t, err)
	for _, tc := range []struct {
		decide func(context.Context, string) error
		name   string
		denied bool
	}{
		{first, "ok.example.com", false},
		{first, "no.example.com", true},
		{second, "no.example.com", true},
	} {
		err := tc.decide(t.Context(), tc.name)
		require.Equal(t, tc.denied, errors.Is(err, certs.ErrOnDemandDenied), tc.name)
	}
	require.NoError(t, testutil.GatherAndCompare(reg, stringsReader(`
# HELP certs_on_demand_decisions_total Answers of the on-demand policy (OnDemandConfig.Decide), by decision (allowed, denied).
# TYPE certs_on_demand_decisions_total counter
certs_on_demand_decisions_total{decision="allowed"} 1
certs_on_demand_decisions_total{decision="denied"} 2
`)))
	for _, tc := range []struct {
		name   string
		reg    prometheus.Registerer
		decide func(context.Context, string) error
	}{
		{"no registry", nil, policy},
		{"no policy", reg, nil},
	} {
		_, err := metrics.WrapDecide(tc.reg, tc.decide)
		require.ErrorIs(t, err, metrics.ErrInvalidOptions, tc.name)
	}
}

// TestBacklog: Options.Backlog is read at each scrape; without it there is
// no certs_webhook_backlog.
func TestBacklog(t *testing.T) {
	t.Parallel()
	m := plainManager(t)
	var backlog atomic.Int64
	for _, tc := range []struct {
		name    string
		backlog func() int
		want    []float64 // after each scrape; nil: absent
	}{
		{"fed", func() int { return int(backlog.Add(3)) }, []float64{3, 6}},
		{"absent", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mx, err := metrics.New(m, prometheus.NewRegistry(), metrics.Options{Backlog: tc.backlog, MaxAge: time.Hour})
			require.NoError(t, err)
			defer mx.Close()
			srv := httptest.NewServer(mx.Handler())
			defer srv.Close()
			for i := range 2 {
				v, ok := scrapeURL(t, srv.URL)[key("certs_webhook_backlog")]
				require.Equal(t, tc.want != nil, ok)
				if ok {
					require.Equal(t, tc.want[i], v)
				}
			}
		})
	}
}

// TestMetricNamesLint: every metric passes Prometheus' naming lint, with
// every family present.
func TestMetricNamesLint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{onDemand: true, metrics: metricsNoCache()})
	e.importCustom("shop.example.com", time.Hour)
	_, err := e.obtain("acme.example.com")
	require.NoError(t, err)
	n, err := testutil.GatherAndCount(e.reg, "certs_certificate_renewal_timestamp_seconds", "certs_certificate_ready",
		"certs_certificate_expiry_timestamp_seconds", "certs_on_demand_decisions_total")
	require.NoError(t, err)
	require.Equal(t, 1+2+2+2, n, "a renewal date for the ACME certificate only")
	problems, err := testutil.GatherAndLint(e.reg)
	require.NoError(t, err)
	require.Empty(t, problems)
}
