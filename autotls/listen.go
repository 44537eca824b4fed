package autotls

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Timeouts of the port-80 server: it only answers ACME challenges and
// redirects, so it keeps nobody waiting.
const port80Timeout = 5 * time.Second

// Listen opens the HTTPS listener and returns it as a TLS listener that
// serves the Manager's certificates (HTTP/2 is offered: an http.Server
// serving it speaks HTTP/2 when it has no TLSConfig of its own). Serve it
// right away: with DisableHTTP the CA validates through it (TLS-ALPN-01).
//
// Like Serve, it serves port 80 unless DisableHTTP, asks for every name's
// certificate and starts the scheduler that obtains and renews them. When
// ctx is cancelled the port-80 server shuts down gracefully and the
// scheduler stops; the returned listener stays open until you close it
// (http.Server.Shutdown and Close do), and goes on serving the certificates
// it has, but renews none.
//
// It returns a *ListenError when it cannot listen, and then closes the
// listeners given in Config.
func (s *Server) Listen(ctx context.Context) (net.Listener, error) {
	if !s.used.CompareAndSwap(false, true) {
		return nil, errServedTwice
	}
	ln, port80, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.begin(ctx, ln.Addr().String(), port80); err != nil {
		_ = ln.Close()
		return nil, errors.Join(err, s.stop(ctx, port80))
	}
	go s.serveUntilDone(ctx, port80)
	return tls.NewListener(ln, s.m.TLSConfig()), nil
}

// serveUntilDone waits for ctx (logging a port-80 server that fails
// meanwhile) and then stops the port-80 server and the scheduler.
func (s *Server) serveUntilDone(ctx context.Context, port80 *running) {
	select {
	case <-ctx.Done():
	case <-port80.doneChan():
		if err := port80.failure(); err != nil {
			s.log.Error("autotls: port-80 server stopped; HTTP-01 challenges and redirects are no longer answered", "error", err)
		}
		<-ctx.Done()
	}
	if err := s.stop(ctx, port80); err != nil {
		s.log.Warn("autotls: shutting down", "error", err)
	}
}

// open opens the HTTPS listener and, unless DisableHTTP, the port-80
// server. On failure it closes every listener, the given ones included.
func (s *Server) open(ctx context.Context) (net.Listener, *running, error) {
	ln, err := listen(ctx, s.cfg.HTTPSListener, s.cfg.HTTPSAddr, DefaultHTTPSAddr, "HTTPSAddr")
	if err != nil {
		if s.cfg.HTTPListener != nil {
			_ = s.cfg.HTTPListener.Close()
		}
		return nil, nil, err
	}
	if s.cfg.DisableHTTP {
		return ln, nil, nil
	}
	ln80, err := listen(ctx, s.cfg.HTTPListener, s.cfg.HTTPAddr, DefaultHTTPAddr, "HTTPAddr")
	if err != nil {
		_ = ln.Close()
		return nil, nil, err
	}
	srv := &http.Server{
		Handler:           s.m.HTTPHandler(nil), // HTTP-01, else a redirect to https
		ReadHeaderTimeout: port80Timeout,
		ReadTimeout:       port80Timeout,
		WriteTimeout:      port80Timeout,
		IdleTimeout:       port80Timeout,
		ErrorLog:          errorLog(s.log, "HTTP"),
	}
	r := start("HTTP", srv, func(srv *http.Server) error { return srv.Serve(ln80) })
	r.addr = ln80.Addr().String()
	return ln, r, nil
}

// listen returns given, or listens on addr (def when empty).
func listen(ctx context.Context, given net.Listener, addr, def, field string) (net.Listener, error) {
	if given != nil {
		return given, nil
	}
	if addr == "" {
		addr = def
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, &ListenError{Addr: addr, Field: field, Err: err}
	}
	return ln, nil
}

// running is an http.Server serving in its own goroutine.
type running struct {
	name string // "HTTPS" or "HTTP", for errors
	addr string
	srv  *http.Server
	done chan struct{} // closed when serve returned; err is set then
	err  error
}

// start runs serve(srv) in a goroutine.
func start(name string, srv *http.Server, serve func(*http.Server) error) *running {
	r := &running{name: name, srv: srv, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = serve(srv)
	}()
	return r
}

// doneChan is closed when the server stopped; nil (never ready) for no server.
func (r *running) doneChan() <-chan struct{} {
	if r == nil {
		return nil
	}
	return r.done
}

// failure is the error that stopped the server on its own, if it stopped.
func (r *running) failure() error {
	if r == nil {
		return nil
	}
	select {
	case <-r.done:
		if r.err != nil && !errors.Is(r.err, http.ErrServerClosed) {
			return fmt.Errorf("autotls: %s server: %w", r.name, r.err)
		}
	default:
	}
	return nil
}

// shutdown stops the server gracefully until ctx ends, closes what is
// left then, and waits for the serving goroutine.
func (r *running) shutdown(ctx context.Context, timeout time.Duration) error {
	err := r.srv.Shutdown(ctx)
	if err != nil {
		_ = r.srv.Close()
		err = fmt.Errorf("autotls: %s requests still running after the shutdown timeout (%s) were cut off: %w", r.name, timeout, err)
	}
	<-r.done
	return err
}
