package metrics_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/metrics"
)

// TestScrapeAfterRealOperations: after an import, orders against Pebble
// (issued, failed validation, rate limited, a renewal), an on-demand
// certificate obtained during a handshake, handshakes for held, denied and
// SNI-less names, the /metrics endpoint shows each of them.
func TestScrapeAfterRealOperations(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{onDemand: true, metrics: metricsNoCache()})
	shop, acmeHost := runOperations(t, e)
	got := e.scrape()
	for _, tc := range []struct {
		name   string
		sample string
		want   float64
	}{
		{"import counted", key("certs_events_total", "type", "imported"), 1},
		{"orders issued: one Obtain, one on demand", key("certs_acme_orders_total", "kind", "obtain", "result", "issued"), 2},
		{"order failed validation", key("certs_acme_orders_total", "kind", "obtain", "result", "failed"), 1},
		{"order rate limited", key("certs_acme_orders_total", "kind", "obtain", "result", "rate_limited"), 1},
		{"renewal issued", key("certs_acme_orders_total", "kind", "renew", "result", "issued"), 1},
		{"renewal rate limited", key("certs_acme_orders_total", "kind", "renew", "result", "rate_limited"), 1},
		{"no renewal failed otherwise", key("certs_acme_orders_total", "kind", "renew", "result", "failed"), 0},
		{"failure events", key("certs_events_total", "type", "obtain_failed"), 2},
		{"active hostnames", key("certs_hostnames", "status", "active"), 3},
		{"hostnames waiting for a certificate", key("certs_hostnames", "status", "pending_validation"), 2},
		{"expired hostnames at zero", key("certs_hostnames", "status", "expired"), 0},
		{"active custom certificates", key("certs_certificates", "status", "active", "source", "custom"), 1},
		{"active ACME certificates", key("certs_certificates", "status", "active", "source", "acme"), 2},
		{"pending orders", key("certs_pending_orders"), 2},
		{"rate-limited hostnames", key("certs_rate_limited_hostnames"), 2},
		{"custom expiry", key("certs_certificate_expiry_timestamp_seconds", "hostname", "shop.example.com", "source", "custom", "key_type", "ecdsa"), float64(shop.Custom.NotAfter.Unix())},
		{"ACME expiry", key("certs_certificate_expiry_timestamp_seconds", "hostname", "acme.example.com", "source", "acme", "key_type", "ecdsa"), float64(acmeHost.ACME.NotAfter.Unix())},
		{"ACME next renewal", key("certs_certificate_renewal_timestamp_seconds", "hostname", "acme.example.com", "source", "acme", "key_type", "ecdsa"), float64(acmeHost.ACME.NextRenewalAt.Unix())},
		{"custom ready", key("certs_certificate_ready", "hostname", "shop.example.com", "source", "custom", "key_type", "ecdsa"), 1},
		{"served custom", key("certs_handshakes_served_total", "source", "custom"), 1},
		{"served ACME, on demand included", key("certs_handshakes_served_total", "source", "acme"), 2},
		{"nothing served unknown", key("certs_handshakes_served_total", "source", "unknown"), 0},
		{"denied twice", key("certs_handshakes_missed_total", "reason", "on_demand_denied"), 2},
		{"no SNI", key("certs_handshakes_missed_total", "reason", "no_server_name"), 1},
		{"policy asked once per name (decisions are remembered)", key("certs_on_demand_decisions_total", "decision", "denied"), 1},
		{"policy allowed once", key("certs_on_demand_decisions_total", "decision", "allowed"), 1},
		{"no collection failed", key("certs_collection_errors_total"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := got[tc.sample]
			require.True(t, ok, "no sample %s", tc.sample)
			require.Equal(t, tc.want, v, tc.sample)
		})
	}
	require.GreaterOrEqual(t, got[key("certs_handshakes_served_total", "source", "acme_challenge")], 1.0,
		"the CA's TLS-ALPN-01 validation of the on-demand order")
	require.NotContains(t, got, key("certs_certificate_renewal_timestamp_seconds", "hostname", "shop.example.com", "source", "custom", "key_type", "ecdsa"),
		"custom certificates do not renew")
}

// runOperations imports shop.example.com, obtains acme.example.com, fails
// an order (validation) and another (rate limit), renews acme.example.com
// (once issued, once rate limited), and makes handshakes: three served
// (one obtaining allowed.example.com on demand), three missed.
func runOperations(t *testing.T, e *env) (shop, acmeHost *certs.Host) {
	t.Helper()
	ctx := t.Context()
	shop = e.importCustom("shop.example.com", 90*24*time.Hour)
	_, err := e.obtain("acme.example.com")
	require.NoError(t, err)
	fail := "fail.example.com"
	e.refuse.Store(&fail)
	_, err = e.obtain(fail)
	require.ErrorIs(t, err, certs.ErrValidationFailed)
	_, err = e.m.Renew(ctx, "acme.example.com", certs.RenewOptions{})
	require.NoError(t, err)

	e.limited.Store(true)
	_, err = e.obtain("limited.example.com")
	require.ErrorIs(t, err, certs.ErrRateLimited)
	_, err = e.m.Renew(ctx, "acme.example.com", certs.RenewOptions{})
	require.ErrorIs(t, err, certs.ErrRateLimited)
	e.limited.Store(false)

	for _, sni := range []string{"shop.example.com", "acme.example.com", "allowed.example.com"} {
		require.NoError(t, e.handshake(sni), sni)
	}
	for _, sni := range []string{"denied.example.com", "denied.example.com", ""} {
		require.Error(t, e.handshake(sni), sni)
	}
	acmeHost, err = e.m.Get(ctx, "acme.example.com")
	require.NoError(t, err)
	return shop, acmeHost
}

// metricsNoCache collects on every scrape.
func metricsNoCache() metrics.Options { return metrics.Options{MaxAge: time.Nanosecond} }
