// Package metrics exports what a certs.Manager holds and does as
// Prometheus metrics: certificates by status and source, each certificate's
// expiry (as cert-manager's certmanager_certificate_expiration_timestamp_seconds),
// readiness and next renewal, ACME orders and renewals issued, failed and
// rate limited, handshakes served per source and missed per reason,
// on-demand decisions, and the webhook backlog.
//
// It is a plug-in above the root package: certs knows nothing of
// Prometheus, and a program that does not import this package does not
// link it.
//
// # Where each metric comes from
//
//   - Gauges of what is held (certs_hostnames, certs_certificates and the
//     per-certificate series) come from a collection that walks every
//     hostname through Manager.List, in name order, Options.PageSize
//     records a page. It runs in New, then on a scrape when the last one is
//     older than Options.MaxAge (30 seconds by default), one at a time
//     however many scrapes arrive, or when Refresh is called. Its cost is one
//     read of every record per collection, whatever the number of scrapes;
//     its memory is one small entry per certificate plus
//     Options.MaxCertificateSeries per-certificate series (10,000 by
//     default, the soonest to expire).
//   - Counters of orders and events come from Manager.Subscribe.
//   - Handshake counters come from WrapGetCertificate (or TLSConfig), which
//     tells the source of a served certificate from the end of its leaf's
//     signature, looked up in an index built by the collection and kept up
//     to date by the imported, issued and renewed events. It allocates
//     nothing for a held name.
//   - On-demand decisions come from WrapDecide, which wraps
//     OnDemandConfig.Decide before the Manager exists.
//   - The webhook backlog comes from Options.Backlog.
//
// Nothing is registered with Prometheus' default registry: New registers
// with the Registerer it is given, or with a registry of its own.
//
// # Metrics
//
// Collected (gauges):
//
//	certs_hostnames{status}                          hostnames by status (every status shown, at zero too)
//	certs_certificates{status,source}                certificates by status and source (custom, acme)
//	certs_certificate_expiry_timestamp_seconds{hostname,source,key_type}
//	certs_certificate_ready{hostname,source,key_type}                 1 active or expiring_soon, else 0
//	certs_certificate_renewal_timestamp_seconds{hostname,source,key_type}   next automatic renewal (ACME)
//	certs_certificate_series_omitted                 certificates beyond Options.MaxCertificateSeries
//	certs_pending_orders                             hostnames with an order not issued yet
//	certs_rate_limited_hostnames                     hostnames the CA rate-limited, until the limit ends
//	certs_damaged_records                            records List could not read
//	certs_collection_timestamp_seconds, certs_collection_duration_seconds
//	certs_webhook_backlog                            with Options.Backlog
//
// Counted:
//
//	certs_acme_orders_total{kind,result}             kind obtain|renew; result issued|failed|rate_limited
//	certs_events_total{type}                         every event, by type
//	certs_handshakes_served_total{source}            custom|acme|default|acme_challenge|unknown
//	certs_handshakes_missed_total{reason}            unknown_host|no_server_name|on_demand_denied|on_demand_busy|on_demand_pending|other
//	certs_on_demand_decisions_total{decision}        allowed|denied (WrapDecide)
//	certs_collection_errors_total                    collections that failed or timed out
//
// key_type is "ecdsa", "rsa" or "ed25519": a hostname with ACME
// certificates of both key families (certs.ObtainOptions.AltKeyType) has a
// series for each.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/certs-dev/certs"
)

// ErrInvalidOptions is returned by New and WrapDecide for arguments they
// cannot work with; the message says which.
var ErrInvalidOptions = errors.New("metrics: invalid options")

// Options configure New. The zero value is usable.
type Options struct {
	// MaxAge is how old the last collection of the certificate gauges may
	// be when a scrape arrives; an older one is redone during the scrape.
	// Zero means 30 seconds. Negative never collects during a scrape: call
	// Refresh yourself (from a ticker, or after a change).
	MaxAge time.Duration
	// Timeout bounds one collection. Past it the scrape serves the previous
	// collection and certs_collection_errors_total grows. Zero means 10
	// seconds (Prometheus' default scrape timeout).
	Timeout time.Duration
	// PageSize is how many hostnames a collection reads from Manager.List
	// at a time. Zero means 500.
	PageSize int
	// MaxCertificateSeries caps the certificates that get per-certificate
	// series (certs_certificate_expiry_timestamp_seconds,
	// certs_certificate_ready, certs_certificate_renewal_timestamp_seconds):
	// the soonest to expire are kept, and
	// certs_certificate_series_omitted counts the others. Zero means
	// 10,000; negative means no per-certificate series at all.
	MaxCertificateSeries int
	// Backlog, when set, is read at each scrape as certs_webhook_backlog:
	// the webhook deliveries not delivered yet. It must be safe for
	// concurrent use and fast.
	Backlog func() int
}

// withDefaults checks o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Timeout < 0 || o.PageSize < 0 {
		return o, fmt.Errorf("%w: Timeout and PageSize must not be negative (zero means the default)", ErrInvalidOptions)
	}
	if o.MaxAge == 0 {
		o.MaxAge = 30 * time.Second
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.PageSize == 0 {
		o.PageSize = 500
	}
	if o.MaxCertificateSeries == 0 {
		o.MaxCertificateSeries = 10_000
	}
	return o, nil
}

// Metrics exports a Manager's metrics. All its methods are safe for
// concurrent use.
type Metrics struct {
	m        *certs.Manager
	opts     Options
	regs     []prometheus.Registerer // where the collectors are registered
	gatherer prometheus.Gatherer
	cs       []prometheus.Collector

	snap      atomic.Pointer[snapshot]
	collectMu sync.Mutex // one collection at a time
	attempted time.Time  // when the last collection started; under collectMu
	index     sourceIndex
	counters  counters

	closeOnce   sync.Once
	unsubscribe func()
}

// New registers m's metrics with reg, collects the certificate gauges once
// and subscribes to m's events. A nil reg means a new registry of the
// Metrics' own. Registering a second Metrics with the same reg fails (a
// prometheus.AlreadyRegisteredError) until Close is called on the first.
//
// Handler serves reg when it is also a prometheus.Gatherer (as a
// *prometheus.Registry is), so that one endpoint shows the program's other
// metrics too; otherwise it serves this package's metrics alone.
func New(m *certs.Manager, reg prometheus.Registerer, opts Options) (*Metrics, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: a Manager is required", ErrInvalidOptions)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	mx := &Metrics{m: m, opts: opts}
	mx.index.init()
	mx.counters = newCounters()
	mx.cs = append(mx.counters.collectors(), &collector{mx: mx, d: newDescs()})
	if opts.Backlog != nil {
		mx.cs = append(mx.cs, backlogGauge(opts.Backlog))
	}
	if err := mx.register(reg); err != nil {
		return nil, err
	}
	mx.unsubscribe = m.Subscribe(mx.handle)
	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	defer cancel()
	if err := mx.Refresh(ctx); err != nil {
		mx.Close()
		return nil, err
	}
	return mx, nil
}

// register registers every collector with reg (and with a registry of the
// Metrics' own when reg cannot be gathered), undoing it all on a failure.
func (mx *Metrics) register(reg prometheus.Registerer) error {
	g, ok := reg.(prometheus.Gatherer)
	switch {
	case reg == nil:
		own := prometheus.NewRegistry()
		mx.regs, mx.gatherer = []prometheus.Registerer{own}, own
	case ok:
		mx.regs, mx.gatherer = []prometheus.Registerer{reg}, g
	default:
		own := prometheus.NewRegistry()
		mx.regs, mx.gatherer = []prometheus.Registerer{reg, own}, own
	}
	for i, c := range mx.cs {
		for j, r := range mx.regs {
			if err := r.Register(c); err != nil {
				mx.unregister(i, j)
				return fmt.Errorf("metrics: register: %w", err)
			}
		}
	}
	return nil
}

// unregister unregisters the collectors before the i-th, and the i-th from
// the registries before the j-th.
func (mx *Metrics) unregister(i, j int) {
	for k := range i {
		for _, r := range mx.regs {
			r.Unregister(mx.cs[k])
		}
	}
	for _, r := range mx.regs[:j] {
		r.Unregister(mx.cs[i])
	}
}

// Close unsubscribes from the Manager's events and unregisters the
// metrics, so that a new Metrics may register with the same Registerer.
// Handshake wrappers made before keep working and count into counters
// nobody reads. Close may be called more than once.
func (mx *Metrics) Close() {
	mx.closeOnce.Do(func() {
		mx.unsubscribe()
		mx.unregister(len(mx.cs), 0)
	})
}

// Handler serves the metrics in Prometheus' exposition formats, for
// mounting at /metrics.
func (mx *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(mx.gatherer, promhttp.HandlerOpts{})
}

// backlogGauge is certs_webhook_backlog, read from backlog at each scrape.
func backlogGauge(backlog func() int) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "certs_webhook_backlog",
		Help: "Webhook deliveries not delivered yet (Options.Backlog).",
	}, func() float64 { return float64(backlog()) })
}
