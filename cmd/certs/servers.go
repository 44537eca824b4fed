package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/webhook"
)

// Timeouts of the servers of serve (those of autotls). The API's writes
// may wait for the CA (renew, revoke), so they get longer.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 2 * time.Minute
	apiWriteTimeout   = 10 * time.Minute
	idleTimeout       = 5 * time.Minute
)

// listening is one server of serve and its listener.
type listening struct {
	name string
	srv  *http.Server
	ln   net.Listener
}

// servers are the servers of serve.
type servers []listening

// newServers listens on every address and builds the servers: HTTPS, the
// HTTP-01 port, the API. Nothing is served until start.
func newServers(m *certs.Manager, s *settings, f *serveFlags, handler http.Handler, p *plugins, log *slog.Logger) (servers, error) {
	var out servers
	add := func(name, addr, flagName string, srv *http.Server, useTLS bool) error {
		ln, err := listen(addr, flagName)
		if err != nil {
			return err
		}
		if useTLS {
			ln = tls.NewListener(ln, srv.TLSConfig)
		}
		srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout = readHeaderTimeout, readTimeout, idleTimeout
		srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug) // handshake noise
		out = append(out, listening{name, srv, ln})
		return nil
	}
	err := add("https", f.httpsAddr, "https-addr", &http.Server{Handler: handler, TLSConfig: p.tlsConfig(), WriteTimeout: writeTimeout}, true)
	if err == nil && f.httpAddr != "" {
		err = add("http", f.httpAddr, "http-addr", &http.Server{Handler: m.HTTPHandler(nil), WriteTimeout: writeTimeout}, false)
	}
	if err == nil && f.metricsAddr != "" {
		err = add("metrics", f.metricsAddr, "metrics-addr", &http.Server{Handler: p.metricsHandler(), WriteTimeout: writeTimeout}, false)
	}
	if err == nil && f.apiAddr != "" {
		var h http.Handler
		if h, err = apiHandler(m, s, p.hooks, log); err == nil {
			err = add("api", f.apiAddr, "api-addr", &http.Server{Handler: h, TLSConfig: m.TLSConfig(), WriteTimeout: apiWriteTimeout}, f.apiTLS)
		}
		if err == nil && !f.apiTLS && !isLoopback(f.apiAddr) {
			log.Warn("certs serve: the API is served over plain HTTP beyond loopback; tokens cross the network in clear: use --api-tls", "api", f.apiAddr)
		}
	}
	if err != nil {
		out.close()
		return nil, err
	}
	return out, nil
}

// apiHandler is the certificate API with the token of CERTS_API_TOKEN,
// serving the webhook subscriptions of hooks (nil without --webhooks).
func apiHandler(m *certs.Manager, s *settings, hooks *webhook.Dispatcher, log *slog.Logger) (http.Handler, error) {
	token := os.Getenv("CERTS_API_TOKEN")
	if token == "" {
		return nil, usagef("--api-addr needs a token: set CERTS_API_TOKEN to a secret of at least %d characters (e.g. $(openssl rand -hex 32))", api.MinTokenLength)
	}
	if s.tenant == "" {
		return nil, usagef("--api-addr needs a --tenant for the token")
	}
	auth, err := api.BearerTokens(api.Token{Secret: token, Subject: "CERTS_API_TOKEN", Tenant: s.tenant,
		Scopes: []api.Scope{api.ScopeRead, api.ScopeWrite, api.ScopeKeys}})
	if err != nil {
		return nil, usagef("CERTS_API_TOKEN: %v", err)
	}
	return api.NewHandler(m, api.Config{Authorize: auth, Logger: log, Webhooks: hooks}), nil
}

// start serves every server in the background; errc receives the error
// of a server that stops by itself.
func (ss servers) start() <-chan error {
	errc := make(chan error, len(ss))
	for _, l := range ss {
		go func() {
			if err := l.srv.Serve(l.ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("%s server: %w", l.name, err)
			}
		}()
	}
	return errc
}

// addrs are the listening addresses, as log attributes.
func (ss servers) addrs() []any {
	var out []any
	for _, l := range ss {
		out = append(out, l.name, l.ln.Addr().String())
	}
	return out
}

// shutdown stops accepting and lets requests in flight finish within
// timeout; what is left then is closed.
func (ss servers) shutdown(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	errs := make([]error, len(ss))
	var wg sync.WaitGroup
	for i, l := range ss {
		wg.Go(func() {
			if err := l.srv.Shutdown(ctx); err != nil {
				errs[i] = fmt.Errorf("%s server: %w", l.name, errors.Join(err, l.srv.Close()))
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// close closes the listeners of servers never started.
func (ss servers) close() {
	for _, l := range ss {
		_ = l.ln.Close()
	}
}

// waitServing waits for ctx to end or a server to fail; SIGHUP reloads
// the store meanwhile.
func waitServing(ctx context.Context, m *certs.Manager, errc <-chan error, log *slog.Logger) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			log.Info("certs serve: shutting down")
			return nil
		case err := <-errc:
			return err
		case <-hup:
			if err := m.Reload(ctx); err != nil {
				log.Warn("certs serve: reload", "error", err)
			} else {
				log.Info("certs serve: reloaded the store")
			}
		}
	}
}
