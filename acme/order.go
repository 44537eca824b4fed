package acme

import (
	"context"
	"fmt"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/certcrypto"

	"github.com/certs-dev/certs"
)

// Bounds on the waits of an order, when ctx allows more.
const (
	finalizeTimeout = 2 * time.Minute  // for the CA to issue after finalize
	cleanupTimeout  = 30 * time.Second // for solvers to clean up, even after ctx is done
)

// authorization is an order's authorization with its URL; solve keeps its
// Status up to date.
type authorization struct {
	url string
	legoacme.Authorization
}

// obtain runs one order: place it, solve its authorizations, finalize it
// with a new key and download the chain.
func (i *Issuer) obtain(ctx context.Context, s *session, p *plan) (*certs.IssuedCertificate, error) {
	order, err := i.newOrder(ctx, s, p)
	if err != nil {
		return nil, err
	}
	i.log.DebugContext(ctx, "acme: order placed", "order", order.Location, "names", p.names, "profile", p.profile)
	authzs := make([]*authorization, 0, len(order.Authorizations))
	for _, u := range order.Authorizations {
		a, err := s.core.Authorizations.Get(u)
		if err != nil {
			return nil, caError(ctx, "get authorization", err)
		}
		authzs = append(authzs, &authorization{url: u, Authorization: a})
	}
	if err := i.solve(ctx, s, p, authzs); err != nil {
		i.deactivate(ctx, s, authzs)
		return nil, err
	}
	return i.finalize(ctx, s, p, order)
}

// newOrder places the order. A CA that refuses the ARI "replaces" field
// (for example for a certificate it did not issue) gets the order again
// without it: a failed replacement must not block a renewal.
func (i *Issuer) newOrder(ctx context.Context, s *session, p *plan) (legoacme.ExtendedOrder, error) {
	opts := &api.OrderOptions{Profile: p.profile, ReplacesCertID: p.replaces}
	order, err := s.core.Orders.NewWithOptions(p.names, opts)
	if err != nil && p.replaces != "" && ctx.Err() == nil && rateLimit(err) == nil && isProblem(err, "") {
		i.log.WarnContext(ctx, "acme: the CA refused the order as a replacement; ordering without ARI replaces", "error", err)
		opts.ReplacesCertID = ""
		order, err = s.core.Orders.NewWithOptions(p.names, opts)
	}
	if err != nil {
		return order, caError(ctx, "new order", err)
	}
	return order, nil
}

// finalize sends the CSR of a new key, waits for the certificate and
// downloads it.
func (i *Issuer) finalize(ctx context.Context, s *session, p *plan, order legoacme.ExtendedOrder) (*certs.IssuedCertificate, error) {
	key, err := newPrivateKey(p.keyType)
	if err != nil {
		return nil, err
	}
	csr, err := certcrypto.CreateCSR(key, certcrypto.CSROptions{Domain: commonName(p.names), SAN: p.names})
	if err != nil {
		return nil, fmt.Errorf("acme: create CSR: %w", err)
	}
	final, err := s.core.Orders.UpdateForCSR(order.Finalize, csr)
	if err != nil {
		return nil, caError(ctx, "finalize order", err)
	}
	if final.Status != legoacme.StatusValid {
		if final, err = waitOrder(ctx, s, order.Location); err != nil {
			return nil, err
		}
	}
	chain, _, err := s.core.Certificates.Get(final.Certificate, true)
	if err != nil {
		return nil, caError(ctx, "download certificate", err)
	}
	if err := checkIssued(chain, key); err != nil {
		return nil, err
	}
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, err
	}
	i.log.InfoContext(ctx, "acme: certificate issued", "names", p.names, "url", final.Certificate, "profile", p.profile)
	return &certs.IssuedCertificate{ChainPEM: chain, KeyPEM: keyPEM, URL: final.Certificate, CA: i.dirURL, CAName: i.Name()}, nil
}

// commonName is the CSR's CN: the first name when it fits (64 bytes).
func commonName(names []string) string {
	if len(names[0]) <= 64 {
		return names[0]
	}
	return ""
}

// waitOrder polls a finalized order until the CA has issued its certificate.
func waitOrder(ctx context.Context, s *session, orderURL string) (legoacme.ExtendedOrder, error) {
	wctx, cancel := context.WithTimeout(ctx, finalizeTimeout)
	defer cancel()
	poll := newPoller(50*time.Millisecond, 2*time.Second)
	for first := true; ; first = false { // the first poll is immediate
		if err := poll.waitUnless(wctx, first); err != nil {
			if ctx.Err() != nil {
				return legoacme.ExtendedOrder{}, caError(ctx, "wait for certificate", ctx.Err())
			}
			return legoacme.ExtendedOrder{}, fmt.Errorf("acme: the CA did not issue order %s within %s", orderURL, finalizeTimeout)
		}
		o, err := s.core.Orders.Get(orderURL)
		if err != nil {
			return o, caError(ctx, "get order", err)
		}
		switch o.Status {
		case legoacme.StatusValid:
			return o, nil
		case legoacme.StatusInvalid:
			return o, caError(ctx, "finalize order", fmt.Errorf("order invalid: %w", o.Err()))
		}
	}
}

// deactivate gives back the authorizations that are still pending after a
// failure, as lego does; errors are only logged. Nothing is sent once ctx
// is done.
func (i *Issuer) deactivate(ctx context.Context, s *session, authzs []*authorization) {
	for _, a := range authzs {
		if ctx.Err() != nil {
			return
		}
		if a.Status != legoacme.StatusPending {
			continue
		}
		if err := s.core.Authorizations.Deactivate(a.url); err != nil {
			i.log.DebugContext(ctx, "acme: deactivate authorization", "url", a.url, "error", err)
		}
	}
}
