package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
)

// pollEvery is how often obtain asks the server about its order.
const pollEvery = 500 * time.Millisecond

// Obtain asks the server for an ACME certificate (it answers at once and
// places the order in the background) and, with req.wait, follows the
// order until the certificate is issued or an attempt fails.
func (b *remoteBackend) Obtain(ctx context.Context, hostname string, req *orderRequest) (*hostResult, error) {
	in := api.RequestACME{
		Hostname: hostname, AlternateNames: req.altNames, Challenge: req.challenge, KeyType: req.keyType,
		AltKeyType: req.altKeyType, Profile: req.profile, AutoRenew: req.autoRenew,
		DNSProvider: req.dnsProvider, DNSCredentials: req.dnsCredentials, DryRun: req.dryRun,
	}
	h, err := b.c.RequestACME(ctx, in)
	if err != nil || req.dryRun || !req.wait || h.PendingOrder == nil {
		return hostCall(h, err)
	}
	b.p.Printf("%s: requested; the server is placing the order", h.Hostname)
	h, err = b.waitIssued(ctx, h, req.timeout)
	if err != nil {
		return nil, err
	}
	b.p.Printf("%s: ACME certificate issued", h.Hostname)
	return apiHost(h), nil
}

// waitIssued polls a hostname with a pending order until the order is
// fulfilled, an attempt fails, or timeout passes.
func (b *remoteBackend) waitIssued(ctx context.Context, h *api.Hostname, timeout time.Duration) (*api.Hostname, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	attempts := h.PendingOrder.Attempts
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("%s: no certificate after %s; the server goes on trying (see `certs show %s`)", h.Hostname, timeout, h.Hostname)
			}
			return nil, ctx.Err()
		case <-t.C:
		}
		next, err := b.c.Get(ctx, h.Hostname)
		if err != nil {
			return nil, err
		}
		p := next.PendingOrder
		switch {
		case p == nil && next.HasACMECertificate:
			return next, nil
		case p == nil:
			return nil, fmt.Errorf("%s: the order was withdrawn", h.Hostname)
		case p.Attempts > attempts:
			return nil, attemptFailed(next)
		}
	}
}

// attemptFailed is the error of a failed attempt of a server's order: it
// matches certs.ErrRateLimited or certs.ErrValidationFailed when that is
// the cause.
func attemptFailed(h *api.Hostname) error {
	p := h.PendingOrder
	retry := ""
	if p.NextAttemptAt != nil {
		retry = "; the server tries again at " + p.NextAttemptAt.UTC().Format(time.RFC3339)
	}
	switch {
	case h.RateLimitedUntil != nil && h.RateLimitedUntil.After(time.Now()):
		return fmt.Errorf("%w: %s: %s%s", certs.ErrRateLimited, h.Hostname, p.LastError, retry)
	case hasACMEProblems(h):
		return fmt.Errorf("%w: %s: %s%s", certs.ErrValidationFailed, h.Hostname, p.LastError, retry)
	}
	return fmt.Errorf("%s: the order failed: %s%s", h.Hostname, p.LastError, retry)
}

func hasACMEProblems(h *api.Hostname) bool {
	for _, e := range h.ValidationErrors {
		if e.Source == "acme" {
			return true
		}
	}
	return false
}
