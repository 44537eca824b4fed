package pebbletest

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

// ACMETLS1Protocol is the ALPN protocol of TLS-ALPN-01 (RFC 8737).
const ACMETLS1Protocol = "acme-tls/1"

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

// ServeHTTP01 is HandleHTTP01 for programs: it serves h on HTTPListener
// until the returned function is called. It fails when HTTP-01 is
// already served on this Server.
func (s *Server) ServeHTTP01(h http.Handler) (stop func(), err error) {
	s.serveOnce[0].Do(func() {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(s.HTTPListener) }()
		stop = func() { _ = srv.Close() }
	})
	if stop == nil {
		return nil, errors.New("pebbletest: HTTP-01 is already served on this Server")
	}
	return stop, nil
}

// HandleTLSALPN01 serves TLS on TLSListener, where the validation authority
// sends TLS-ALPN-01 handshakes, until tb ends. getCert chooses the challenge
// certificate from the ClientHello (its ServerName is the domain being
// validated). Connections that complete the handshake are closed: the
// validation authority only looks at the certificate. Call it at most once
// per Server.
func (s *Server) HandleTLSALPN01(tb testing.TB, getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)) {
	tb.Helper()
	if err := s.ServeTLSALPN01(getCert); err != nil {
		tb.Fatal(err)
	}
}

// ServeTLSALPN01 is HandleTLSALPN01 for programs: it serves until the
// Server stops (Start's cleanup, or Run's stop function). It fails when
// TLS-ALPN-01 is already served on this Server.
func (s *Server) ServeTLSALPN01(getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)) error {
	ran := false
	s.serveOnce[1].Do(func() {
		ran = true
		cfg := &tls.Config{NextProtos: []string{ACMETLS1Protocol}, GetCertificate: getCert, MinVersion: tls.VersionTLS12}
		go serveTLSHandshakes(tls.NewListener(s.TLSListener, cfg))
	})
	if !ran {
		return errors.New("pebbletest: TLS-ALPN-01 is already served on this Server")
	}
	return nil
}

// serveTLSHandshakes completes the handshake of every connection and closes
// it, until the listener is closed (by Start's cleanup).
func serveTLSHandshakes(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		go func() {
			defer func() { _ = c.Close() }()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if tc, ok := c.(*tls.Conn); ok {
				_ = tc.Handshake()
			}
		}()
	}
}
