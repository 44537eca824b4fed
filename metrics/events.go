package metrics

import (
	"strings"

	"github.com/certs-dev/certs"
)

// handle counts one of the Manager's events and keeps the source index up
// to date with the certificates it reports. It runs on the Manager's
// delivery goroutine and does no I/O.
func (mx *Metrics) handle(ev certs.Event) {
	c := &mx.counters
	c.event(ev.Type).Inc()
	switch ev.Type {
	case certs.EventIssued:
		c.orders[kindObtain][resultIssued].Inc()
	case certs.EventRenewed:
		c.orders[kindRenew][resultIssued].Inc()
	case certs.EventObtainFailed:
		c.orders[kindObtain][failure(ev)].Inc()
	case certs.EventRenewalFailed:
		c.orders[kindRenew][failure(ev)].Inc()
	}
	switch ev.Type {
	case certs.EventImported, certs.EventIssued, certs.EventRenewed:
		if ev.Certificate != nil {
			mx.index.add(ev.Certificate.ChainPEM, ev.Certificate.Source)
		}
	}
}

// failure is the result of a failed order: rate limited when the CA said
// so. The Event carries the error as text only, so this looks for the text
// every *certs.RateLimitError starts with (ErrRateLimited's).
func failure(ev certs.Event) int {
	if strings.Contains(ev.Err, certs.ErrRateLimited.Error()) {
		return resultRateLimited
	}
	return resultFailed
}
