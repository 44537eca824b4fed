package validate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/validate"
)

// BenchmarkCheck checks 1,000 fully configured hostnames per iteration
// with CheckMany (64 at a time) against the loopback server, and reports
// checks/s. Client and server share the machine's cores.
func BenchmarkCheck(b *testing.B) {
	const n = 1000
	hosts := make([]string, n)
	recs := dnsGoodCAA
	for i := range hosts {
		h := fmt.Sprintf("h%04d.example.com", i)
		hosts[i] = h
		recs = append(recs, h+". A 203.0.113.10", h+". AAAA 2001:db8::10",
			"_acme-challenge."+h+". CNAME "+h+".abc123.platform-dns.net.",
			"_certs-ownership."+h+`. TXT "app-123"`)
	}
	s := startDNS(b, recs...)
	opts := dnsCheckOptions(s)
	opts.Timeout = 2 * time.Second
	reqFor := func(h string) validate.DNSRequirements { return validate.Requirements(h, dnsPlatform) }
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		reports, err := validate.CheckMany(context.Background(), hosts, reqFor, opts, 64)
		require.NoError(b, err)
		require.Len(b, reports, n)
		for _, h := range hosts[:10] {
			require.Empty(b, reports[h].ValidationErrors, h)
		}
	}
	b.ReportMetric(float64(b.N*n)/time.Since(start).Seconds(), "checks/s")
}
