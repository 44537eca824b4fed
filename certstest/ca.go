package certstest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// CA is an ACME certificate authority (Pebble) and its DNS server, running
// in this process on 127.0.0.1. Its methods are safe for concurrent use.
type CA struct {
	srv    *pebbletest.Server
	http01 atomic.Pointer[http.Handler]
	alpn01 atomic.Pointer[getCertificateFunc]
}

type getCertificateFunc = func(*tls.ClientHelloInfo) (*tls.Certificate, error)

// Start runs a CA until the test ends, and fails the test if it cannot
// start. Each call runs a CA of its own; tests may run them in parallel.
func Start(tb testing.TB) *CA {
	tb.Helper()
	ca, stop, err := Run()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return ca
}

// Run is Start for an Example or a program: it runs a CA until stop is
// called. stop closes its servers and may be called more than once.
func Run() (ca *CA, stop func(), err error) {
	srv, stopPebble, err := pebbletest.Run(pebbletest.Options{})
	if err != nil {
		return nil, nil, fmt.Errorf("certstest: start the ACME CA: %w", err)
	}
	ca = &CA{srv: srv}
	stopHTTP, err := srv.ServeHTTP01(http.HandlerFunc(ca.serveHTTP01))
	if err == nil {
		err = srv.ServeTLSALPN01(ca.getCertificate)
	}
	if err != nil {
		stopPebble()
		return nil, nil, fmt.Errorf("certstest: serve the challenge ports: %w", err)
	}
	var once sync.Once
	return ca, func() { once.Do(func() { stopHTTP(); stopPebble() }) }, nil
}

// DirectoryURL is the CA's ACME directory, an https URL on 127.0.0.1. Its
// TLS certificate is trusted by HTTPClient only.
func (ca *CA) DirectoryURL() string { return ca.srv.DirectoryURL }

// HTTPClient returns a new client for the CA's ACME API: it trusts the
// CA's TLS certificate, and pauses briefly after the requests that start
// a validation or a finalization, so that the client's next poll finds
// them done instead of backing off for seconds.
func (ca *CA) HTTPClient() *http.Client { return ca.srv.HTTPClient() }

// Roots returns a new pool of the CA's root certificates: it verifies the
// certificates the CA issues, as the system pool verifies Let's Encrypt's.
// Give it to the tls.Config (RootCAs) of a client of your server. The pool
// is yours to add to.
func (ca *CA) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range ca.srv.IssuerRootCerts {
		p.AddCert(c)
	}
	return p
}

// ACMEConfig returns an acme.Config for this CA, ready for acme.New: its
// directory, terms agreed, its HTTPClient, its DNS server as the resolver
// for DNS-01 (so that no lookup leaves the process), and the "classic"
// profile. It skips the DNS-01 propagation wait (the DNS server answers at
// once), so that a record that is not published fails the order at the CA
// right away. Store is left nil: a certs.Manager given the Issuer hands it
// its own Store. Change any field you like, Email or Logger for example.
func (ca *CA) ACMEConfig() acme.Config {
	return acme.Config{
		DirectoryURL:       ca.srv.DirectoryURL,
		AgreeTOS:           true,
		HTTPClient:         ca.srv.HTTPClient(),
		DNSResolvers:       []string{ca.srv.DNSAddr},
		PropagationTimeout: -1,
		DefaultProfile:     "classic",
	}
}

// Revoked asks the CA whether it revoked cert, one of its certificates.
func (ca *CA) Revoked(ctx context.Context, cert *x509.Certificate) (bool, error) {
	if cert == nil {
		return false, errors.New("certstest: Revoked: nil certificate")
	}
	status, err := ca.srv.CertStatus(ctx, cert.SerialNumber)
	if err != nil {
		return false, fmt.Errorf("certstest: %w", err)
	}
	return status == "Revoked", nil
}
