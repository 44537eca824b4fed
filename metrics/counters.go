package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/certs-dev/certs"
)

// Miss reasons, the index of each reason's counter.
const (
	missUnknownHost uint8 = iota
	missNoServerName
	missOnDemandDenied
	missOnDemandBusy
	missOnDemandPending
	missOther
	nMisses
)

// missReasons are the values of certs_handshakes_missed_total's reason
// label, by code, with the error each one matches (nil: any other).
var missReasons = [nMisses]struct {
	name string
	err  error
}{
	{"unknown_host", certs.ErrUnknownHost},
	{"no_server_name", certs.ErrNoServerName},
	{"on_demand_denied", certs.ErrOnDemandDenied},
	{"on_demand_busy", certs.ErrOnDemandBusy},
	{"on_demand_pending", certs.ErrOnDemandPending},
	{"other", nil},
}

// Order kinds and results, the indexes of certs_acme_orders_total's
// counters.
const (
	kindObtain = iota
	kindRenew
	nKinds
)

const (
	resultIssued = iota
	resultFailed
	resultRateLimited
	nResults
)

var (
	kindNames   = [nKinds]string{"obtain", "renew"}
	resultNames = [nResults]string{"issued", "failed", "rate_limited"}
)

// knownEvents are the event types whose counters exist from the start (at
// zero), so that rate() works from the first event on.
func knownEvents() []certs.EventType {
	return []certs.EventType{
		certs.EventImported, certs.EventRemoved, certs.EventExpiring, certs.EventIssued,
		certs.EventRenewed, certs.EventRenewalFailed, certs.EventObtainFailed,
		certs.EventRevoked, certs.EventOwnership, certs.EventDamaged,
	}
}

// counters are the Metrics' counters, each label combination resolved once
// so that counting is one atomic add.
type counters struct {
	servedVec, missedVec, ordersVec, eventsVec *prometheus.CounterVec
	collectErrors                              prometheus.Counter

	served [nSources]prometheus.Counter
	missed [nMisses]prometheus.Counter
	orders [nKinds][nResults]prometheus.Counter
	events map[certs.EventType]prometheus.Counter // never written after newCounters
}

func newCounters() counters {
	c := counters{
		servedVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "certs_handshakes_served_total",
			Help: "Certificates served to TLS handshakes through WrapGetCertificate, by source (custom, acme, default for clients without SNI, acme_challenge for TLS-ALPN-01 validations, unknown for a certificate not collected yet).",
		}, []string{"source"}),
		missedVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "certs_handshakes_missed_total",
			Help: "TLS handshakes WrapGetCertificate found no certificate for, by reason.",
		}, []string{"reason"}),
		ordersVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "certs_acme_orders_total",
			Help: "ACME orders placed, by kind (obtain, renew) and result (issued, failed, rate_limited); their sum by kind is the orders placed.",
		}, []string{"kind", "result"}),
		eventsVec: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "certs_events_total",
			Help: "Events the Manager emitted, by type.",
		}, []string{"type"}),
		collectErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "certs_collection_errors_total",
			Help: "Collections of the certificate gauges that failed or timed out (the previous collection was served).",
		}),
		events: map[certs.EventType]prometheus.Counter{},
	}
	for i := range nSources {
		c.served[i] = c.servedVec.WithLabelValues(sourceNames[i])
	}
	for i := range nMisses {
		c.missed[i] = c.missedVec.WithLabelValues(missReasons[i].name)
	}
	for k := range nKinds {
		for r := range nResults {
			c.orders[k][r] = c.ordersVec.WithLabelValues(kindNames[k], resultNames[r])
		}
	}
	for _, t := range knownEvents() {
		c.events[t] = c.eventsVec.WithLabelValues(string(t))
	}
	return c
}

// collectors returns the counters to register.
func (c *counters) collectors() []prometheus.Collector {
	return []prometheus.Collector{c.servedVec, c.missedVec, c.ordersVec, c.eventsVec, c.collectErrors}
}

// event returns the counter of an event type.
func (c *counters) event(t certs.EventType) prometheus.Counter {
	if ctr, ok := c.events[t]; ok {
		return ctr
	}
	return c.eventsVec.WithLabelValues(string(t)) // a type newer than this package
}
