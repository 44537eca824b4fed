package metrics

import (
	"context"
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// WrapDecide returns an on-demand policy (certs.OnDemandConfig.Decide)
// that asks decide and counts its answers in
// certs_on_demand_decisions_total{decision="allowed"|"denied"}, registered
// with reg. It is a function of its own, not a method of Metrics, because
// Decide is part of the Manager's Config: it is wrapped before the Manager
// exists. Pass the same reg to New to serve both from one Handler.
//
// The Manager remembers decisions (OnDemandConfig.DecisionTTL), so the
// counters count the times decide was asked, not handshakes. Calling
// WrapDecide again with the same reg shares the counters.
func WrapDecide(reg prometheus.Registerer, decide func(ctx context.Context, name string) error) (func(ctx context.Context, name string) error, error) {
	if reg == nil || decide == nil {
		return nil, fmt.Errorf("%w: WrapDecide needs a Registerer and a decide function", ErrInvalidOptions)
	}
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "certs_on_demand_decisions_total",
		Help: "Answers of the on-demand policy (OnDemandConfig.Decide), by decision (allowed, denied).",
	}, []string{"decision"})
	if err := reg.Register(vec); err != nil {
		var are prometheus.AlreadyRegisteredError
		existing, ok := (*prometheus.CounterVec)(nil), false
		if errors.As(err, &are) {
			existing, ok = are.ExistingCollector.(*prometheus.CounterVec)
		}
		if !ok {
			return nil, fmt.Errorf("metrics: register: %w", err)
		}
		vec = existing
	}
	allowed, denied := vec.WithLabelValues("allowed"), vec.WithLabelValues("denied")
	return func(ctx context.Context, name string) error {
		err := decide(ctx, name)
		if err != nil {
			denied.Inc()
		} else {
			allowed.Inc()
		}
		return err
	}, nil
}
