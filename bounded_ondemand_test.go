package certs_test

import (
	"testing"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// TestBoundedOnDemand: with room for one hostname in memory, on-demand
// certificates for three names are each ordered once; a name evicted to
// make room is served again from the Store, not ordered again.
func TestBoundedOnDemand(t *testing.T) {
	srv := pebbletest.Start(t, pebbletest.Options{})
	iss, err := acme.New(acme.Config{DirectoryURL: srv.DirectoryURL, AgreeTOS: true, Email: "ops@example.com",
		HTTPClient: srv.HTTPClient(), Logger: quiet(), DNSResolvers: []string{srv.DNSAddr}, DefaultProfile: "shortlived"})
	require.NoError(t, err)
	orders := &countingIssuer{Issuer: iss}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: orders, Logger: quiet(), MaxLoadedHostnames: 1,
		OnDemand: &certs.OnDemandConfig{Wait: 30 * time.Second, Decide: certs.AllowSuffixes("test")}})
	require.NoError(t, err)
	srv.HandleTLSALPN01(t, m.GetCertificate)
	addr := serveTLSOn(t, m.TLSConfig())

	names := []string{pebbletest.UniqueDomain(""), pebbletest.UniqueDomain(""), pebbletest.UniqueDomain("")}
	serials := map[string]string{}
	for round := range 2 {
		for _, n := range names {
			leaf, err := peerLeaf(t, addr, n)
			require.NoError(t, err, "round %d: %s", round, n)
			require.Contains(t, leaf.DNSNames, n)
			if round == 0 {
				serials[n] = leaf.SerialNumber.String()
			}
			require.Equal(t, serials[n], leaf.SerialNumber.String(), "round %d: %s is the certificate ordered first", round, n)
		}
	}
	require.Equal(t, int64(3), orders.issued.Load(), "one order per name")
}
