package metrics_test

import (
	"crypto/tls"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
)

// TestHandshakesBySource: each real handshake over loopback counts once,
// by the source of the certificate served or by the reason it missed.
func TestHandshakesBySource(t *testing.T) {
	t.Parallel()
	for _, group := range []struct {
		name string
		opts envOptions
		rows []handshakeRow
	}{
		{"plain", envOptions{defaultCert: true}, []handshakeRow{
			{"custom", "shop.example.com", "served", "source", "custom"},
			{"ACME", "acme.example.com", "served", "source", "acme"},
			{"custom first when both are held", "both.example.com", "served", "source", "custom"},
			{"mixed-case SNI", "SHOP.Example.COM", "served", "source", "custom"},
			{"trailing dot", "shop.example.com.", "served", "source", "custom"},
			{"wildcard", "a.wild.example.com", "served", "source", "custom"},
			{"no SNI: the default certificate", "", "served", "source", "default"},
			{"unknown name", "nobody.example.com", "missed", "reason", "unknown_host"},
		}},
		{"on demand", envOptions{onDemand: true}, []handshakeRow{
			{"held names are served without asking", "shop.example.com", "served", "source", "custom"},
			{"name the policy denies", "denied.example.com", "missed", "reason", "on_demand_denied"},
			{"no SNI and no default certificate", "", "missed", "reason", "no_server_name"},
		}},
	} {
		t.Run(group.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, group.opts)
			e.importCustom("shop.example.com", 30*24*time.Hour)
			e.importCustom("*.wild.example.com", 30*24*time.Hour)
			e.importCustom("both.example.com", 30*24*time.Hour)
			for _, name := range []string{"acme.example.com", "both.example.com"} {
				_, err := e.obtain(name)
				require.NoError(t, err)
			}
			for _, row := range group.rows {
				t.Run(row.name, func(t *testing.T) { row.check(t, e) })
			}
		})
	}
}

// handshakeRow is one handshake and the counter it must move by one.
type handshakeRow struct {
	name, sni      string
	kind           string // served or missed
	label, counted string
}

func (r handshakeRow) check(t *testing.T, e *env) {
	sample := key("certs_handshakes_"+r.kind+"_total", r.label, r.counted)
	before := e.scrape()
	err := e.handshake(r.sni)
	if r.kind == "served" {
		require.NoError(t, err)
	} else {
		require.Error(t, err)
	}
	after := e.scrape()
	for k, v := range after {
		if isHandshakeSample(k) {
			want := before[k]
			if k == sample {
				want++
			}
			require.Equal(t, want, v, k)
		}
	}
	require.Contains(t, after, sample)
}

func isHandshakeSample(k string) bool { return strings.HasPrefix(k, "certs_handshakes_") }

// TestUnknownSourceUntilCollected: a certificate another replica stored,
// which this Manager picked up with ReloadHostname (no event here), is
// served as "unknown" until the next collection, then by its source.
func TestUnknownSourceUntilCollected(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{metrics: metricsCached()})
	other, err := certs.New(certs.Config{Store: e.st, Roots: e.local.Roots(), Logger: slog.New(slog.DiscardHandler), DisableOCSPStapling: true})
	require.NoError(t, err)
	in, err := e.local.Issue(time.Hour, "replica.example.com")
	require.NoError(t, err)
	_, err = other.Import(t.Context(), "replica.example.com", in, certs.ImportOptions{})
	require.NoError(t, err)
	require.NoError(t, e.m.ReloadHostname(t.Context(), "replica.example.com"))

	for _, step := range []struct {
		name    string
		refresh bool
		source  string
	}{
		{"before a collection", false, "unknown"},
		{"after a collection", true, "custom"},
	} {
		t.Run(step.name, func(t *testing.T) {
			if step.refresh {
				require.NoError(t, e.mx.Refresh(t.Context()))
			}
			sample := key("certs_handshakes_served_total", "source", step.source)
			before := e.scrape()[sample]
			require.NoError(t, e.handshake("replica.example.com"))
			require.Equal(t, before+1, e.scrape()[sample])
		})
	}
}

// TestWrappedGetCertificateAllocatesNothing: counting a handshake for a
// held name adds no allocation to the Manager's GetCertificate (which
// allocates none).
func TestWrappedGetCertificateAllocatesNothing(t *testing.T) {
	e := newEnv(t, envOptions{defaultCert: true})
	e.importCustom("shop.example.com", time.Hour)
	_, err := e.obtain("acme.example.com")
	require.NoError(t, err)
	get := e.mx.WrapGetCertificate(e.m.GetCertificate)
	for _, tc := range []struct {
		name  string
		hello *tls.ClientHelloInfo
	}{
		{"custom", &tls.ClientHelloInfo{ServerName: "shop.example.com"}},
		{"ACME", &tls.ClientHelloInfo{ServerName: "acme.example.com"}},
		{"mixed case", &tls.ClientHelloInfo{ServerName: "Shop.Example.com"}},
		{"no SNI", &tls.ClientHelloInfo{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allocs := testing.AllocsPerRun(1000, func() {
				if _, err := get(tc.hello); err != nil {
					t.Fatal(err)
				}
			})
			require.Zero(t, allocs)
		})
	}
}
