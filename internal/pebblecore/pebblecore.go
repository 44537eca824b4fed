package pebblecore

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
)

// DefaultProfiles returns the profiles of a Pebble started with nil
// Options.Profiles, named like Let's Encrypt's: "classic" (90 days, first
// name promoted to the CN), "tlsserver" (90 days) and "shortlived" (6 days).
func DefaultProfiles() map[string]ca.Profile {
	return map[string]ca.Profile{
		"classic":    {Description: "90 days, CN promoted", ValidityPeriod: 90 * 24 * 3600, PromoteCommonName: true},
		"tlsserver":  {Description: "90 days, no CN", ValidityPeriod: 90 * 24 * 3600},
		"shortlived": {Description: "6 days", ValidityPeriod: 6 * 24 * 3600},
	}
}

// Options configure one Pebble. The zero value is a Pebble with
// DefaultProfiles, no EAB, no nonce rejection and no authorization reuse.
type Options struct {
	// Profiles offered by the CA; nil means DefaultProfiles().
	Profiles map[string]ca.Profile
	// RequireEAB makes newAccount require External Account Binding.
	RequireEAB bool
	// EABKeys maps EAB key IDs to their base64url-encoded HMAC keys.
	EABKeys map[string]string
	// NonceRejectPercent is how often Pebble rejects a good nonce (0-99).
	// Zero means never (Pebble's own default would be 5).
	NonceRejectPercent int
	// AuthzReusePercent is how often Pebble reuses a valid authorization of
	// the account for a new order (0-100). Zero means never.
	AuthzReusePercent int
	// RetryAfterAuthz and RetryAfterOrder are the Retry-After seconds Pebble
	// sends while an authorization or an order is processing (0: none).
	RetryAfterAuthz, RetryAfterOrder int
	// Log receives Pebble's log; nil discards it.
	Log io.Writer
}

// Server is a running Pebble. Every address is on 127.0.0.1; Run's stop
// function stops the servers and closes the listeners.
type Server struct {
	// DirectoryURL is the ACME directory ("https://127.0.0.1:port/dir").
	DirectoryURL string
	// Roots trusts the TLS certificate of the ACME and management servers.
	Roots *x509.CertPool
	// TLSCertificate is that certificate, for clients in other processes
	// (write it as PEM and trust it there).
	TLSCertificate *x509.Certificate
	// IssuerRoots trusts the certificates the CA issues.
	IssuerRoots *x509.CertPool
	// IssuerRootCerts are the CA's root certificates.
	IssuerRootCerts []*x509.Certificate
	// ManagementURL is the base URL of Pebble's management interface
	// (roots, cert status, set-renewal-info).
	ManagementURL string
	// HTTPPort and TLSPort are the loopback ports the validation authority
	// connects to for HTTP-01 and TLS-ALPN-01; HTTPListener and TLSListener
	// are bound to them. Serve on them yourself or use ServeHTTP01 and
	// ServeTLSALPN01.
	HTTPPort, TLSPort         int
	HTTPListener, TLSListener net.Listener
	// DNSAddr is the shared DNS server ("127.0.0.1:port", UDP and TCP) that
	// the validation authority asks; use it as a DNS-01 resolver.
	DNSAddr string

	transport *http.Transport
	acme      *httptest.Server
	mgmt      *httptest.Server
	serveOnce [2]sync.Once
}

// envMu serializes Pebble constructions: they read PEBBLE_* environment
// variables, which are process-wide.
var envMu sync.Mutex

// Run starts a Pebble and returns it with a function that stops it: it
// closes the servers and listeners, and may be called more than once.
// Several Pebbles may run at once in one process.
func Run(opts Options) (*Server, func(), error) {
	var (
		cleanups []func()
		once     sync.Once
	)
	stop := func() {
		once.Do(func() {
			for i := len(cleanups) - 1; i >= 0; i-- {
				cleanups[i]()
			}
		})
	}
	s, err := start(func(f func()) { cleanups = append(cleanups, f) }, opts)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return s, stop, nil
}

func start(cleanup func(func()), opts Options) (*Server, error) {
	_, dnsAddr, err := dnsServer()
	if err != nil {
		return nil, err
	}
	s := &Server{DNSAddr: dnsAddr}
	if s.HTTPListener, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("pebblecore: listen: %w", err)
	}
	cleanup(func() { _ = s.HTTPListener.Close() })
	if s.TLSListener, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("pebblecore: listen: %w", err)
	}
	cleanup(func() { _ = s.TLSListener.Close() })
	s.HTTPPort = s.HTTPListener.Addr().(*net.TCPAddr).Port
	s.TLSPort = s.TLSListener.Addr().(*net.TCPAddr).Port

	front, authority, err := newPebble(opts, s.HTTPPort, s.TLSPort, dnsAddr)
	if err != nil {
		return nil, err
	}
	s.acme = httptest.NewTLSServer(front.Handler())
	cleanup(s.acme.Close)
	s.mgmt = httptest.NewTLSServer(front.ManagementHandler())
	cleanup(s.mgmt.Close)
	s.DirectoryURL = s.acme.URL + wfe.DirectoryPath
	s.ManagementURL = s.mgmt.URL

	s.Roots = x509.NewCertPool()
	s.TLSCertificate = s.acme.Certificate()
	s.Roots.AddCert(s.TLSCertificate)
	s.IssuerRoots = x509.NewCertPool()
	for i := range authority.GetNumberOfRootCerts() {
		root := authority.GetRootCert(i).Cert
		s.IssuerRootCerts = append(s.IssuerRootCerts, root)
		s.IssuerRoots.AddCert(root)
	}
	s.transport = newTransport(s.Roots)
	cleanup(s.transport.CloseIdleConnections)
	return s, nil
}

// newPebble builds Pebble's front end and CA under envMu.
func newPebble(opts Options, httpPort, tlsPort int, dnsAddr string) (*wfe.WebFrontEndImpl, *ca.CAImpl, error) {
	out := opts.Log
	if out == nil {
		// Not io.Discard: log.Logger skips its mutex for io.Discard, and
		// that mutex is what orders some of Pebble's unlocked accesses for
		// the race detector (e.g. the ARI "replaced" mark, written by the
		// finalize goroutine and read by the next new-order request).
		out = nopWriter{}
	}
	logger := log.New(out, "pebble ", log.LstdFlags|log.Lmicroseconds)
	profiles := opts.Profiles
	if profiles == nil {
		profiles = DefaultProfiles()
	}

	envMu.Lock()
	defer envMu.Unlock()
	for k, v := range map[string]string{
		"PEBBLE_VA_NOSLEEP":      "1",
		"PEBBLE_VA_ALWAYS_VALID": "0",
		"PEBBLE_WFE_NONCEREJECT": strconv.Itoa(opts.NonceRejectPercent),
		"PEBBLE_AUTHZREUSE":      strconv.Itoa(opts.AuthzReusePercent),
	} {
		if err := os.Setenv(k, v); err != nil {
			return nil, nil, fmt.Errorf("pebblecore: setenv %s: %w", k, err)
		}
	}
	store := db.NewMemoryStore()
	authority := ca.New(logger, store, "", "ecdsa", 0, 1, profiles)
	validator := va.New(logger, httpPort, tlsPort, false, dnsAddr, store)
	for keyID, key := range opts.EABKeys {
		if err := store.AddExternalAccountKeyByID(keyID, key); err != nil {
			return nil, nil, fmt.Errorf("pebblecore: EAB key %q: %w", keyID, err)
		}
	}
	front := wfe.New(logger, store, validator, authority, []string{"pebble.letsencrypt.org"},
		false, opts.RequireEAB, opts.RetryAfterAuthz, opts.RetryAfterOrder)
	return &front, authority, nil
}

// HTTPClient returns a new client that trusts Roots and pauses after
// challenge and finalize POSTs (see the package documentation). A new client
// is returned on every call because lego wraps the Transport of the client
// it is given.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.Transport(), Timeout: time.Minute}
}

// Transport is the RoundTripper of HTTPClient, shared by all its clients.
func (s *Server) Transport() http.RoundTripper {
	return &pauseTransport{base: s.transport, pause: DefaultPause}
}

// nopWriter discards what it is given.
type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }
