package certs

import (
	"context"
	"errors"
	"fmt"
)

// Request asks for an ACME certificate for hostname (plus AltNames)
// without waiting for it: it checks everything Obtain checks that needs no
// network (names, challenge, key type, DNS provider), chooses the
// challenge from the names' DNS as Obtain does when none is given and
// Config.DNS has requirements (a DNS lookup), stores the order as the
// hostname's Pending order, due at once, and returns. The hostname's
// status stays pending_validation until a certificate is issued (or is
// that of the certificate it serves meanwhile).
//
// The scheduler places the order: Request needs Start, or RenewDue called
// by the platform (for example from cron). Each attempt emits an event:
// issued once the certificate is served, obtain_failed on each failure,
// after which it is retried on the backoff (1 minute, 10 minutes, 100
// minutes, then daily, or the CA's Retry-After) until it succeeds or
// RemoveACME withdraws it. Host.Pending shows the attempts and the last
// error; a Check that finds the DNS right retries at once.
//
// When the hostname already holds a certificate that answers the request
// (as in Obtain), Request returns it and stores nothing. Calling Request
// again for a pending order makes it due at once. A DNS provider must be
// given by name (ObtainOptions.DNSProviderName) or in Config, because a
// provider object cannot be stored for the scheduler. DryRun runs Obtain's
// dry run. Without Config.Issuer it returns ErrNoIssuer.
func (m *Manager) Request(ctx context.Context, hostname string, opts ObtainOptions) (*Host, error) {
	if opts.DryRun {
		return m.Obtain(ctx, hostname, opts)
	}
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	if opts.DNSProvider != nil {
		return nil, errProviderObjectAsync
	}
	o, err := m.newOrder(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	if err := m.claimNames(ctx, name, o.names); err != nil {
		return nil, err
	}
	h, err := m.Get(ctx, name)
	if err == nil && m.answers(h.ACME, o) {
		return h, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	h, err = m.storePending(ctx, name, o, true)
	if err != nil {
		return nil, fmt.Errorf("certs: request %s: %w", name, err)
	}
	m.log.Info("certs: ACME certificate requested", "hostname", name, "names", o.names)
	m.withRequirements(h)
	return h, nil
}
