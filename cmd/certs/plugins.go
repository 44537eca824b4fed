package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/metrics"
	"github.com/certs-dev/certs/webhook"
)

// plugins are what serve runs beside its servers: Prometheus metrics,
// the deploy hook and the webhook deliveries.
type plugins struct {
	m         *certs.Manager
	mx        *metrics.Metrics    // nil without --metrics-addr
	hook      *deployhook.Hook    // nil without --deploy-dir
	hooks     *webhook.Dispatcher // nil without --webhooks
	hookDone  chan struct{}
	hooksDone chan struct{}
}

// startPlugins starts the metrics and the deploy hook asked for.
func startPlugins(ctx context.Context, m *certs.Manager, f *serveFlags, log *slog.Logger) (*plugins, error) {
	p := &plugins{m: m}
	var err error
	if f.metricsAddr != "" {
		if p.mx, err = metrics.New(m, nil, metrics.Options{}); err != nil {
			return nil, err
		}
	}
	if f.webhooks {
		if err := p.startWebhooks(ctx, f, log); err != nil {
			p.close()
			return nil, err
		}
	}
	if f.deployDir == "" {
		if f.deployHook != "" {
			p.close()
			return nil, usagef("--deploy-hook needs --deploy-dir: where the certificate files are kept")
		}
		return p, nil
	}
	dir, err := filepath.Abs(f.deployDir)
	if err == nil {
		p.hook, err = deployhook.New(deployhook.Config{Manager: m, Dir: dir, Command: f.deployHook, Logger: log})
	}
	if err != nil {
		p.close()
		return nil, usagef("--deploy-dir: %v", err)
	}
	p.hookDone = make(chan struct{})
	go func() {
		defer close(p.hookDone)
		if err := p.hook.Run(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, deployhook.ErrClosed) {
			log.Error("certs serve: deploy hook stopped", "error", err)
		}
	}()
	return p, nil
}

// startWebhooks runs a webhook.Dispatcher on the served store: it writes
// the Manager's events to the outbox of every subscription and delivers
// them until close.
func (p *plugins) startWebhooks(ctx context.Context, f *serveFlags, log *slog.Logger) error {
	d, err := webhook.New(ctx, webhook.Config{Manager: p.m, Store: p.m.Store(), AllowHTTP: f.webhookHTTP, Logger: log})
	if err != nil {
		return fmt.Errorf("webhooks: %w", err)
	}
	p.hooks, p.hooksDone = d, make(chan struct{})
	go func() {
		defer close(p.hooksDone)
		if err := d.Run(ctx); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, webhook.ErrClosed) {
			log.Error("certs serve: webhook deliveries stopped", "error", err)
		}
	}()
	return nil
}

// tlsConfig is the HTTPS configuration: the Manager's, counted by the
// metrics when they are on.
func (p *plugins) tlsConfig() *tls.Config {
	if p.mx != nil {
		return p.mx.TLSConfig()
	}
	return p.m.TLSConfig()
}

// metricsHandler serves /metrics.
func (p *plugins) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", p.mx.Handler())
	return mux
}

// close stops the webhook deliveries (what is pending stays in the
// store), the deploy hook (its files stay) and the metrics.
func (p *plugins) close() {
	if p.hooks != nil {
		p.hooks.Close()
		<-p.hooksDone
	}
	if p.hook != nil {
		p.hook.Close()
		<-p.hookDone
	}
	if p.mx != nil {
		p.mx.Close()
	}
}
