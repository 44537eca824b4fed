package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/internal/dnstest"
)

// TestCheck looks a hostname up in a real authoritative DNS server on
// loopback: right where it should point (exit 0), wrong (exit 4, with the
// record to fix), unknown (exit 3).
func TestCheck(t *testing.T) {
	t.Parallel()
	dns := dnstest.Start(t, dnstest.Zone{Name: "check.test", Records: []string{"www A 192.0.2.10"}})
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	local, err := certstest.NewLocalCA()
	require.NoError(t, err)
	in, err := local.Issue(30*24*time.Hour, "www.check.test")
	require.NoError(t, err)
	certsOK(t, 0, "import", "www.check.test", "--store", store,
		"--cert", writeFile(t, dir, "c.pem", in.Certificate), "--key", writeFile(t, dir, "k.pem", in.PrivateKey))
	check := func(want int, expect string, args ...string) result {
		return certsOK(t, want, append([]string{"check", "--store", store, "--dns-resolver", dns.Addr(),
			"--dns-port", dns.Port(), "--expect-a", expect}, args...)...)
	}
	res := decode[certs.CheckResult](t, check(0, "192.0.2.10", "www.check.test", "--json"))
	require.True(t, res.Host.LastCheck.DNSConfigured)
	require.Empty(t, res.Host.LastCheck.ValidationErrors)
	require.True(t, res.DNS.DNSConfigured)

	wrong := check(exitInvalid, "192.0.2.99", "www.check.test")
	require.Regexp(t, `to fix\s+.*192\.0\.2\.99`, wrong.stdout)
	require.Contains(t, wrong.stderr, "DNS record(s) to fix")
	check(exitNotFound, "192.0.2.10", "nope.check.test")
}
