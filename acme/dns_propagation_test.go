package acme_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// silentProvider presents nothing, so its records never become visible,
// and suggests a propagation timeout and interval, as lego's providers do
// (challenge.ProviderTimeout, dnsprovider.TimeoutProvider).
type silentProvider struct{ timeout, interval time.Duration }

func (silentProvider) Present(context.Context, certs.DNSRecord) error { return nil }
func (silentProvider) CleanUp(context.Context, certs.DNSRecord) error { return nil }
func (p silentProvider) Timeout() (time.Duration, time.Duration)      { return p.timeout, p.interval }

// TestPropagationWaitFollowsTheProvider: without Config.PropagationTimeout
// the wait for a DNS-01 record is the provider's own timeout, not the
// two-minute default; Config.PropagationTimeout still wins when set.
func TestPropagationWaitFollowsTheProvider(t *testing.T) {
	e := newEnv(t, pebbletest.Options{})
	tests := []struct {
		name   string
		config time.Duration
		want   string
	}{
		{"the provider's timeout", 0, "not visible within 400ms"},
		{"Config.PropagationTimeout wins", 700 * time.Millisecond, "not visible within 700ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iss := e.issuer(t, func(c *acme.Config) { c.PropagationTimeout = tc.config })
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			_, err := iss.Issue(ctx, certs.IssueRequest{Names: []string{pebbletest.UniqueDomain("")},
				Challenge: certs.ChallengeDNS01, DNS01: silentProvider{400 * time.Millisecond, 50 * time.Millisecond}})
			require.ErrorIs(t, err, certs.ErrValidationFailed)
			require.ErrorContains(t, err, tc.want)
			require.Less(t, time.Since(start), 10*time.Second)
		})
	}
}
