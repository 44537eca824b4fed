package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/certs-dev/certs"
)

// descs describe the gauges a collection feeds.
type descs struct {
	hosts, certs                    *prometheus.Desc
	expiry, ready, renewal, omitted *prometheus.Desc
	pending, rateLimited, damaged   *prometheus.Desc
	collectedAt, collectionDuration *prometheus.Desc
}

func newDescs() descs {
	perCert := []string{"hostname", "source", "key_type"}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return descs{
		hosts: d("certs_hostnames", "Hostnames by status (the status of the certificate each serves, custom first).", "status"),
		certs: d("certs_certificates", "Certificates by status and source (custom, acme; the ACME certificate of the other key family counts as acme).", "status", "source"),
		expiry: prometheus.NewDesc("certs_certificate_expiry_timestamp_seconds",
			"The date after which the certificate expires, in seconds since the epoch (Options.MaxCertificateSeries certificates at most, the soonest to expire).", perCert, nil),
		ready: prometheus.NewDesc("certs_certificate_ready",
			"1 when the certificate is usable (active or expiring_soon), else 0.", perCert, nil),
		renewal: prometheus.NewDesc("certs_certificate_renewal_timestamp_seconds",
			"When the scheduler renews the ACME certificate next, in seconds since the epoch.", perCert, nil),
		omitted:            d("certs_certificate_series_omitted", "Certificates left without per-certificate series by Options.MaxCertificateSeries."),
		pending:            d("certs_pending_orders", "Hostnames with an ACME order requested and not issued yet."),
		rateLimited:        d("certs_rate_limited_hostnames", "Hostnames the CA rate-limited, until the limit ends."),
		damaged:            d("certs_damaged_records", "Stored records that cannot be read (see Manager.Damaged)."),
		collectedAt:        d("certs_collection_timestamp_seconds", "When the certificate gauges were last collected, in seconds since the epoch."),
		collectionDuration: d("certs_collection_duration_seconds", "How long the last collection of the certificate gauges took."),
	}
}

// statuses are the statuses shown even at zero, so that dashboards and
// alerts find their series before the first certificate has them.
func statuses() []certs.Status {
	return []certs.Status{certs.StatusPendingValidation, certs.StatusPendingOwnership, certs.StatusActive,
		certs.StatusExpiringSoon, certs.StatusExpired, certs.StatusNotYetValid, certs.StatusRevoked}
}

// collector is the prometheus.Collector of the collected gauges.
type collector struct {
	mx *Metrics
	d  descs
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.d.hosts, c.d.certs, c.d.expiry, c.d.ready, c.d.renewal, c.d.omitted,
		c.d.pending, c.d.rateLimited, c.d.damaged, c.d.collectedAt, c.d.collectionDuration} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: it serves the last collection,
// collected anew first when older than Options.MaxAge.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.mx.fresh()
	if s == nil {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	c.collectCounts(s, gauge)
	for _, cs := range s.series {
		labels := []string{cs.hostname, string(cs.source), cs.keyType}
		gauge(c.d.expiry, float64(cs.notAfter.Unix()), labels...)
		gauge(c.d.ready, boolValue(cs.ready), labels...)
		if cs.renewal != nil {
			gauge(c.d.renewal, float64(cs.renewal.Unix()), labels...)
		}
	}
	gauge(c.d.omitted, float64(s.omitted))
	gauge(c.d.pending, float64(s.pending))
	gauge(c.d.rateLimited, float64(s.rateLimited))
	gauge(c.d.damaged, float64(s.damaged))
	gauge(c.d.collectedAt, float64(s.at.UnixNano())/1e9)
	gauge(c.d.collectionDuration, s.duration.Seconds())
}

// collectCounts sends the hostnames and certificates by status: every
// known status (at zero too), and any other one seen.
func (c *collector) collectCounts(s *snapshot, gauge func(*prometheus.Desc, float64, ...string)) {
	known := map[certs.Status]bool{}
	for _, st := range statuses() {
		known[st] = true
		gauge(c.d.hosts, float64(s.hosts[st]), string(st))
		for _, src := range []certs.Source{certs.SourceCustom, certs.SourceACME} {
			gauge(c.d.certs, float64(s.certs[statusSource{st, src}]), string(st), string(src))
		}
	}
	for st, n := range s.hosts {
		if !known[st] {
			gauge(c.d.hosts, float64(n), string(st))
		}
	}
	for k, n := range s.certs {
		if !known[k.status] || (k.source != certs.SourceCustom && k.source != certs.SourceACME) {
			gauge(c.d.certs, float64(n), string(k.status), string(k.source))
		}
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
