package main

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"path/filepath"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/metrics"
)

// plugins are what serve runs beside its servers: Prometheus metrics and
// the deploy hook.
type plugins struct {
	m        *certs.Manager
	mx       *metrics.Metrics // nil without --metrics-addr
	hook     *deployhook.Hook // nil without --deploy-dir
	hookDone chan struct{}
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

// close stops the deploy hook (its files stay) and the metrics.
func (p *plugins) close() {
	if p.hook != nil {
		p.hook.Close()
		<-p.hookDone
	}
	if p.mx != nil {
		p.mx.Close()
	}
}
