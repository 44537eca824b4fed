package pebblecore

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"time"
)

// ACMETLS1Protocol is the ALPN protocol of TLS-ALPN-01 (RFC 8737).
const ACMETLS1Protocol = "acme-tls/1"

// ServeHTTP01 serves h on HTTPListener, where the validation authority
// sends HTTP-01 requests, until the returned function is called. It fails
// when HTTP-01 is already served on this Server.
func (s *Server) ServeHTTP01(h http.Handler) (stop func(), err error) {
	s.serveOnce[0].Do(func() {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(s.HTTPListener) }()
		stop = func() { _ = srv.Close() }
	})
	if stop == nil {
		return nil, errors.New("pebblecore: HTTP-01 is already served on this Server")
	}
	return stop, nil
}

// ServeTLSALPN01 serves TLS on TLSListener, where the validation authority
// sends TLS-ALPN-01 handshakes, until the Server stops (Run's stop
// function). getCert chooses the challenge certificate from the
// ClientHello (its ServerName is the domain being validated). Connections
// that complete the handshake are closed: the validation authority only
// looks at the certificate. It fails when TLS-ALPN-01 is already served on
// this Server.
func (s *Server) ServeTLSALPN01(getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)) error {
	ran := false
	s.serveOnce[1].Do(func() {
		ran = true
		cfg := &tls.Config{NextProtos: []string{ACMETLS1Protocol}, GetCertificate: getCert, MinVersion: tls.VersionTLS12}
		go serveTLSHandshakes(tls.NewListener(s.TLSListener, cfg))
	})
	if !ran {
		return errors.New("pebblecore: TLS-ALPN-01 is already served on this Server")
	}
	return nil
}

// serveTLSHandshakes completes the handshake of every connection and closes
// it, until the listener is closed (by Run's stop function).
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
