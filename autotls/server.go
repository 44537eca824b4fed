package autotls

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/certs-dev/certs"
)

// Timeouts of the HTTPS server that Serve runs; they follow certmagic's
// HTTPS helper. Handlers that stream for longer than writeTimeout need
// Listen and an http.Server of their own.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 5 * time.Minute
)

// errServedTwice is returned by a second Serve or Listen on one Server.
var errServedTwice = errors.New("autotls: this Server has already served; make a new one with New")

// Server serves over HTTPS with certificates it obtains and renews, for
// the names given to New. It serves once, with Serve or with Listen; its
// Manager may be used before, during and after. Its methods are safe for
// concurrent use.
type Server struct {
	cfg   Config
	names []string
	m     *certs.Manager
	log   *slog.Logger
	used  atomic.Bool
}

// New checks cfg and names, and builds the Manager: it loads the
// certificates the Store already holds, and contacts no CA and opens no
// port (Serve and Listen do). Names are normalized (lowercase, punycode);
// an invalid one is a certs.ErrInvalidHostname, a wildcard a
// certs.ErrWildcardNeedsDNS01, none at all ErrNoNames unless cfg.OnDemand
// is set. New leaves the listeners given in cfg alone.
//
// Using it agrees to the CA's terms of service (see the package
// documentation).
func New(ctx context.Context, cfg Config, names ...string) (*Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	hosts, err := normalizeNames(names, cfg.OnDemand != nil)
	if err != nil {
		return nil, err
	}
	m, err := cfg.newManager(ctx)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, names: hosts, m: m, log: cfg.logger()}, nil
}

// Manager returns the Manager behind the Server, for everything beyond
// serving: subscribe to events (issued, obtain_failed, renewed), import a
// custom certificate, read a name's status and pending order. Serve and
// Listen start its scheduler; do not Start or Stop it yourself.
func (s *Server) Manager() *certs.Manager { return s.m }

// Names returns the names the Server gets certificates for, normalized.
func (s *Server) Names() []string { return slices.Clone(s.names) }

// Serve serves handler (nil means http.DefaultServeMux) over HTTPS until
// ctx is cancelled, then shuts down gracefully and returns nil.
//
// It listens (on Config.HTTPSAddr, :443 by default, and, unless
// DisableHTTP, Config.HTTPAddr, :80 by default), asks for a certificate
// for every name without waiting for it (Manager.Request: a name that
// already has a valid certificate is served at once and costs no order),
// and starts the Manager's scheduler, which places the orders, retries
// failed ones on a backoff (1 minute, 10 minutes, 100 minutes, then
// daily) and renews. Meanwhile handshakes for a name that has no
// certificate yet fail, and the site answers as soon as it has one.
//
// The HTTPS server has HTTP/2 on and these timeouts: 10 s to read a
// request's header, 30 s for the whole request, 2 min to write the
// response, 5 min for an idle connection.
//
// On cancellation both servers stop accepting, requests in flight may
// finish within Config.ShutdownTimeout (10 s by default), and the
// scheduler stops; Serve returns once all that is done and every listener
// is closed. If requests were still running at the deadline they are cut
// off and the error wraps context.DeadlineExceeded. Serve returns early
// with a *ListenError when it cannot listen, or with the error that
// stopped a server.
func (s *Server) Serve(ctx context.Context, handler http.Handler) error {
	if !s.used.CompareAndSwap(false, true) {
		return errServedTwice
	}
	ln, port80, err := s.open(ctx)
	if err != nil {
		return err
	}
	https := start("HTTPS", s.httpsServer(handler), func(srv *http.Server) error {
		return srv.ServeTLS(ln, "", "")
	})
	if err := s.begin(ctx, ln.Addr().String(), port80); err != nil {
		return errors.Join(ignoreCancel(ctx, err), s.stop(ctx, https, port80))
	}
	select {
	case <-ctx.Done():
	case <-https.done:
	case <-port80.doneChan():
	}
	return errors.Join(https.failure(), port80.failure(), s.stop(ctx, https, port80))
}

// begin asks for every name's certificate and starts the scheduler.
func (s *Server) begin(ctx context.Context, httpsAddr string, port80 *running) error {
	opts := certs.ObtainOptions{Challenge: s.cfg.challenge()}
	for _, name := range s.names {
		if _, err := s.m.Request(ctx, name, opts); err != nil {
			return fmt.Errorf("autotls: ask for a certificate for %s: %w", name, err)
		}
	}
	if err := s.m.Start(ctx); err != nil {
		return fmt.Errorf("autotls: start obtaining and renewing certificates: %w", err)
	}
	args := []any{"https", httpsAddr, "names", s.names, "challenge", opts.Challenge}
	if port80 != nil {
		args = append(args, "http", port80.addr)
	}
	s.log.Info("autotls: serving", args...)
	return nil
}

// httpsServer is the HTTPS server of Serve.
func (s *Server) httpsServer(handler http.Handler) *http.Server {
	return &http.Server{
		Handler:           handler,
		TLSConfig:         s.m.TLSConfig(), // h2, http/1.1 and acme-tls/1
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          errorLog(s.log, "HTTPS"),
	}
}

// stop shuts the servers down gracefully within the shutdown timeout
// (closing what is left at the deadline), waits for them to return, and
// stops the scheduler. Nil servers are skipped.
func (s *Server) stop(ctx context.Context, servers ...*running) error {
	timeout := cmp.Or(s.cfg.ShutdownTimeout, DefaultShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, r := range servers {
		if r != nil {
			wg.Go(func() { errs[i] = r.shutdown(sctx, timeout) })
		}
	}
	wg.Wait()
	s.m.Stop()
	return errors.Join(errs...)
}
