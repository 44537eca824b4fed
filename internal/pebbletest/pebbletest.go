package pebbletest

import (
	"crypto/tls"
	"net/http"
	"testing"

	"github.com/letsencrypt/pebble/v2/ca"

	"github.com/certs-dev/certs/internal/pebblecore"
)

// Options configure one Pebble; see pebblecore.Options.
type Options = pebblecore.Options

// ACMETLS1Protocol is the ALPN protocol of TLS-ALPN-01 (RFC 8737).
const ACMETLS1Protocol = pebblecore.ACMETLS1Protocol

// DefaultPause is how long HTTPClient's transport waits after a challenge or
// finalize POST before returning the response.
const DefaultPause = pebblecore.DefaultPause

// DefaultProfiles returns the profiles of a Pebble started with nil
// Options.Profiles (see pebblecore.DefaultProfiles).
func DefaultProfiles() map[string]ca.Profile { return pebblecore.DefaultProfiles() }

// UniqueDomain returns a fresh domain under the given parent ("test" if
// empty), such as "k3f9a1c2.test", so that tests sharing the DNS server and a
// Pebble never collide.
func UniqueDomain(parent string) string { return pebblecore.UniqueDomain(parent) }

// Server is a running Pebble: a pebblecore.Server (its fields, DNS and
// management helpers) plus the methods that take a testing.TB.
type Server struct {
	*pebblecore.Server
}

// Start runs a Pebble for the duration of tb. It fails tb if anything cannot
// start. Several Pebbles may run at once in one test binary.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, stop, err := pebblecore.Run(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return &Server{s}
}

// Run is Start for programs and Examples: it returns the running Pebble and
// a function that stops it.
func Run(opts Options) (*Server, func(), error) {
	s, stop, err := pebblecore.Run(opts)
	if err != nil {
		return nil, nil, err
	}
	return &Server{s}, stop, nil
}

// HandleHTTP01 serves h on HTTPListener, where the validation authority
// sends HTTP-01 requests, until tb ends. Call it at most once per Server.
func (s *Server) HandleHTTP01(tb testing.TB, h http.Handler) {
	tb.Helper()
	stop, err := s.ServeHTTP01(h)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
}

// HandleTLSALPN01 serves TLS on TLSListener, where the validation authority
// sends TLS-ALPN-01 handshakes, until tb ends. getCert chooses the challenge
// certificate from the ClientHello (its ServerName is the domain being
// validated). Call it at most once per Server.
func (s *Server) HandleTLSALPN01(tb testing.TB, getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)) {
	tb.Helper()
	if err := s.ServeTLSALPN01(getCert); err != nil {
		tb.Fatal(err)
	}
}
