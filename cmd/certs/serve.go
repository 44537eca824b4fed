package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/certs-dev/certs"
)

// serveFlags are the flags of serve besides the settings.
type serveFlags struct {
	httpsAddr, httpAddr, apiAddr, metricsAddr, upstream string
	deployDir, deployHook                               string
	apiTLS, webhooks, webhookHTTP                       bool
	names                                               listFlag
	shutdownTimeout                                     time.Duration
}

func serveCommand() command {
	return command{
		name: "serve", args: "[flags]", summary: "serve HTTPS for the managed names, HTTP-01, renewals and the API",
		help: `Serve HTTPS for every hostname of the store with its certificate (custom
first, then ACME), proxied to --upstream; answer HTTP-01 and redirect
http to https on --http-addr; obtain the certificates of --name names,
place pending orders and renew (with --agree-tos); serve the certificate
API on --api-addr for 'certs --server' and curl, with the bearer token of
CERTS_API_TOKEN (scopes read, write and keys; tenant --tenant), and
deliver the webhooks subscribed through it (--webhooks). SIGHUP
reloads the store (what other processes changed); SIGINT or SIGTERM shut
down gracefully: requests in flight get --shutdown-timeout to finish.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			var f serveFlags
			s.storeFlags(fs)
			s.acmeFlags(fs)
			s.dnsFlags(fs)
			fs.BoolVar(&s.json, "json", false, "log as JSON lines on stderr")
			fs.BoolVar(&s.verbose, "v", false, "log at debug level")
			fs.StringVar(&f.httpsAddr, "https-addr", ":443", "HTTPS `address`")
			fs.StringVar(&f.httpAddr, "http-addr", ":80", "`address` answering HTTP-01 and redirecting to https; empty for none (TLS-ALPN-01 is then used)")
			fs.StringVar(&f.apiAddr, "api-addr", "", "certificate API `address` (e.g. 127.0.0.1:8081); empty for none")
			fs.BoolVar(&f.apiTLS, "api-tls", false, "serve the API over HTTPS with the certificates of the store (for a managed name)")
			fs.BoolVar(&f.webhooks, "webhooks", true, "deliver webhooks: the subscriptions tenants make through the API (POST /webhooks), kept in the store; run one serve per store with it on")
			fs.BoolVar(&f.webhookHTTP, "webhook-allow-http", false, "accept http:// webhook URLs (receivers on a private network); by default https only")
			fs.StringVar(&f.metricsAddr, "metrics-addr", "", "serve Prometheus metrics on this `address` at /metrics (e.g. 127.0.0.1:9100); empty for none")
			fs.StringVar(&f.deployDir, "deploy-dir", "", "keep certbot-style files of every hostname in this `directory` (live/<hostname>/fullchain.pem, privkey.pem, ...)")
			fs.StringVar(&f.deployHook, "deploy-hook", "", "run this shell `command` after the files of --deploy-dir change (e.g. \"nginx -s reload\")")
			fs.StringVar(&f.upstream, "upstream", "", "proxy HTTPS requests to this `URL` (e.g. http://127.0.0.1:8080); default: a short text page")
			fs.Var(&f.names, "name", "obtain (and renew) a certificate for this `hostname`; repeatable")
			fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long requests in flight may finish at shutdown")
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 0, 0, ""); err != nil {
					return err
				}
				return serve(ctx, c, &f)
			}
		},
	}
}

// serve runs until ctx is done, then shuts down gracefully.
func serve(ctx context.Context, c *cli, f *serveFlags) error {
	log := serveLogger(c)
	handler, err := upstreamHandler(f.upstream)
	if err != nil {
		return err
	}
	if len(f.names) > 0 && !c.s.agreeTOS {
		return errNeedTOS
	}
	m, closeStore, err := newManager(ctx, c.s, log, false)
	if err != nil {
		return err
	}
	defer closeStore()
	if !c.s.agreeTOS {
		log.Warn("certs serve: no --agree-tos: serving the stored certificates, ordering and renewing none")
	}
	plugins, err := startPlugins(ctx, m, f, log)
	if err != nil {
		return err
	}
	defer plugins.close()
	srv, err := newServers(m, c.s, f, handler, plugins, log)
	if err != nil {
		return err
	}
	errc := srv.start()
	if err := begin(ctx, m, c.s, f); err != nil {
		return errors.Join(err, srv.shutdown(f.shutdownTimeout))
	}
	log.Info("certs serve: serving", srv.addrs()...)
	err = waitServing(ctx, m, errc, log)
	m.Stop()
	return errors.Join(err, srv.shutdown(f.shutdownTimeout))
}

// begin asks for the certificates of --name and starts the scheduler.
func begin(ctx context.Context, m *certs.Manager, s *settings, f *serveFlags) error {
	if !s.agreeTOS {
		return nil
	}
	opts := certs.ObtainOptions{Challenge: certs.ChallengeHTTP01, Profile: s.profile}
	if f.httpAddr == "" {
		opts.Challenge = certs.ChallengeTLSALPN01
	}
	for _, name := range f.names {
		opts.Labels = labels(ctx, m, s.tenant, name)
		if _, err := m.Request(ctx, name, opts); err != nil {
			return fmt.Errorf("ask for a certificate for %s: %w", name, err)
		}
	}
	return m.Start(ctx)
}

// serveLogger logs to stderr as text, or JSON with --json.
func serveLogger(c *cli) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if c.s.verbose {
		opts.Level = slog.LevelDebug
	}
	if c.s.json {
		return slog.New(slog.NewJSONHandler(c.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(c.stderr, opts))
}

// upstreamHandler proxies to upstream, or answers a short page.
func upstreamHandler(upstream string) (http.Handler, error) {
	if upstream == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintf(w, "certs serve: %s is served over HTTPS; start with --upstream to proxy to your application\n", r.TLS.ServerName)
		}), nil
	}
	u, err := url.Parse(upstream)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--upstream %q is not an http(s) URL", upstream)
	}
	return &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(u)
		r.SetXForwarded()
		r.Out.Host = r.In.Host
	}}, nil
}

// isLoopback reports whether addr listens on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
