package autotls

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/certs-dev/certs"
)

// Serve serves handler over HTTPS for names until ctx is cancelled, with
// certificates from Let's Encrypt obtained in the background and renewed
// automatically. It is ServeConfig with the zero Config: :443 for HTTPS
// (HTTP/2 on), :80 for the ACME HTTP-01 challenge and a redirect to https,
// certificates kept under store.DefaultDir().
//
// Using it agrees to Let's Encrypt's terms of service (see the package
// documentation).
//
// Serve returns nil once ctx is cancelled and the servers have shut down
// gracefully; see Server.Serve for the rest.
func Serve(ctx context.Context, handler http.Handler, names ...string) error {
	return ServeConfig(ctx, Config{}, handler, names...)
}

// ServeConfig is Serve with a Config: New followed by Server.Serve. When
// New fails, the listeners given in cfg are closed; when ctx is cancelled
// meanwhile, that is a shutdown like any other and ServeConfig returns nil.
func ServeConfig(ctx context.Context, cfg Config, handler http.Handler, names ...string) error {
	s, err := New(ctx, cfg, names...)
	if err != nil {
		closeGiven(cfg)
		return ignoreCancel(ctx, err)
	}
	return s.Serve(ctx, handler)
}

// Listen is for servers that bring their own http.Server: it returns a TLS
// listener that serves the certificates of names, and the Manager behind
// it. It is New followed by Server.Listen, and it serves port 80 (HTTP-01
// and the redirect) in the background unless cfg.DisableHTTP is set:
//
//	ln, _, err := autotls.Listen(ctx, autotls.Config{}, "example.com")
//	if err != nil {
//		log.Fatal(err)
//	}
//	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
//	log.Fatal(srv.Serve(ln))
//
// When New fails, the listeners given in cfg are closed.
func Listen(ctx context.Context, cfg Config, names ...string) (net.Listener, *certs.Manager, error) {
	s, err := New(ctx, cfg, names...)
	if err != nil {
		closeGiven(cfg)
		return nil, nil, err
	}
	ln, err := s.Listen(ctx)
	if err != nil {
		return nil, nil, err
	}
	return ln, s.Manager(), nil
}

// ignoreCancel returns nil for an error caused by ctx's cancellation:
// Serve treats a cancellation while starting as a shutdown like any other.
func ignoreCancel(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil
	}
	return err
}

// closeGiven closes the listeners given in cfg.
func closeGiven(cfg Config) {
	for _, ln := range []net.Listener{cfg.HTTPSListener, cfg.HTTPListener} {
		if ln != nil {
			_ = ln.Close()
		}
	}
}
