package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
)

func (b *localBackend) Obtain(ctx context.Context, hostname string, req *orderRequest) (*hostResult, error) {
	stop, err := b.answerChallenges(req)
	if err != nil {
		return nil, err
	}
	defer stop()
	b.p.Printf("%s: ordering a certificate from %s", hostname, b.directory())
	h, err := b.m.Obtain(ctx, hostname, certs.ObtainOptions{
		AltNames: req.altNames, Challenge: certs.ChallengeType(req.challenge),
		KeyType: certs.KeyType(req.keyType), AltKeyType: certs.KeyType(req.altKeyType), Profile: req.profile,
		DNSProviderName: req.dnsProvider, DNSCredentials: req.dnsCredentials,
		DisableAutoRenew: req.autoRenew != nil && !*req.autoRenew, DryRun: req.dryRun,
		Labels: labels(ctx, b.m, b.s.tenant, hostname),
	})
	if err != nil {
		return nil, err
	}
	return hostOf(h), nil
}

func (b *localBackend) Renew(ctx context.Context, hostname string, req *orderRequest) (*hostResult, error) {
	stop, err := b.answerChallenges(req)
	if err != nil {
		return nil, err
	}
	defer stop()
	b.p.Printf("%s: renewing with %s", hostname, b.directory())
	h, err := b.m.Renew(ctx, hostname, certs.RenewOptions{
		KeyType: certs.KeyType(req.keyType), AltKeyType: certs.KeyType(req.altKeyType),
		Challenge: certs.ChallengeType(req.challenge), Profile: req.profile, AutoRenew: req.autoRenew,
		DNSProviderName: req.dnsProvider, DNSCredentials: req.dnsCredentials,
	})
	if err != nil {
		return nil, err
	}
	return hostOf(h), nil
}

// directory names the CA for progress lines.
func (b *localBackend) directory() string {
	switch {
	case b.s.directory != "":
		return b.s.directory
	case b.s.staging:
		return acme.LetsEncryptStaging
	}
	return acme.LetsEncryptProduction
}

// answerChallenges serves HTTP-01 on req.httpAddr and TLS-ALPN-01 on
// req.tlsAddr (when set) from the Manager until stop is called. Without
// them, the challenges are answered by whatever serves port 80 or 443 for
// the names from the same store (such as `certs serve`).
func (b *localBackend) answerChallenges(req *orderRequest) (stop func(), err error) {
	var servers []*http.Server
	stop = func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}
	quiet := log.New(io.Discard, "", 0)
	if req.httpAddr != "" {
		ln, err := listen(req.httpAddr, "http-addr")
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: b.m.HTTPHandler(nil), ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet}
		go func() { _ = srv.Serve(ln) }()
		servers = append(servers, srv)
		b.p.Printf("answering HTTP-01 on %s", ln.Addr())
	}
	if req.tlsAddr != "" {
		ln, err := listen(req.tlsAddr, "tls-addr")
		if err != nil {
			stop()
			return nil, err
		}
		srv := &http.Server{TLSConfig: b.m.TLSConfig(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: quiet,
			Handler: http.NotFoundHandler()}
		go func() { _ = srv.Serve(tls.NewListener(ln, srv.TLSConfig)) }()
		servers = append(servers, srv)
		b.p.Printf("answering TLS-ALPN-01 on %s", ln.Addr())
	}
	return stop, nil
}

// listen listens on addr, saying what to do when it cannot.
func listen(addr, flagName string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EACCES):
		return nil, fmt.Errorf("--%s %s: no permission to listen there: ports below 1024 need root, or "+
			"`sudo setcap cap_net_bind_service=+ep $(command -v certs)`; or choose another address: %w", flagName, addr, err)
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("--%s %s: the address is in use by another program (`ss -ltnp` shows which); "+
			"stop it or choose another address: %w", flagName, addr, err)
	}
	return nil, fmt.Errorf("--%s %s: %w", flagName, addr, err)
}

// reasons are the revocation reasons by name (the API's names).
var reasons = []string{"unspecified", "key_compromise", "", "affiliation_changed", "superseded", "cessation_of_operation"}

// parseReason parses a revocation reason by name or RFC 5280 code.
func parseReason(s string) (certs.RevocationReason, error) {
	if s == "" {
		return certs.ReasonUnspecified, nil
	}
	for code, name := range reasons {
		if name != "" && (s == name || s == strconv.Itoa(code)) {
			return certs.RevocationReason(code), nil
		}
	}
	return 0, usagef("--reason must be unspecified, key_compromise, affiliation_changed, superseded or cessation_of_operation (or its RFC 5280 code 0, 1, 3, 4, 5), not %q", s)
}
