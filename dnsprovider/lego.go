package dnsprovider

import (
	"context"
	"fmt"
	"time"

	"github.com/go-acme/lego/v4/challenge"

	"github.com/certs-dev/certs"
)

// TimeoutProvider is a DNSProvider that suggests how long to wait for its
// records to propagate and how often to check, as lego's
// challenge.ProviderTimeout does. FromLego returns one when the lego
// provider has a timeout.
type TimeoutProvider interface {
	certs.DNSProvider
	Timeout() (timeout, interval time.Duration)
}

// FromLego adapts a lego DNS-01 provider (challenge.Provider) to
// certs.DNSProvider. It calls p.Present and p.CleanUp with the record's
// Domain, Token and KeyAuth; the lego provider computes the record's name
// and value itself (following _acme-challenge CNAMEs as lego does).
//
// Lego providers cannot be cancelled mid-call: when ctx ends first, Present
// and CleanUp return ctx's error at once while the lego call goes on in
// the background until it finishes (bounded by the provider's own HTTP
// timeouts). A done ctx makes no call at all. A panic in the lego provider
// becomes an error.
//
// If p implements challenge.ProviderTimeout, the result is a
// TimeoutProvider: the acme package then waits for the records'
// propagation as long as p suggests.
//
// secrets are the credential values p was built with (API tokens, keys):
// lego providers quote what the DNS API answers, which may echo them, so
// the errors of Present and CleanUp are redacted of them (see Redacting).
func FromLego(p challenge.Provider, secrets ...string) certs.DNSProvider {
	a := &legoAdapter{p: p}
	if t, ok := p.(challenge.ProviderTimeout); ok {
		return Redacting(&legoTimeoutAdapter{legoAdapter: a, t: t}, secrets...)
	}
	return Redacting(a, secrets...)
}

var (
	_ certs.DNSProvider = (*legoAdapter)(nil)
	_ TimeoutProvider   = (*legoTimeoutAdapter)(nil)
)

// legoAdapter is FromLego's certs.DNSProvider.
type legoAdapter struct {
	p challenge.Provider
}

// legoTimeoutAdapter adds the lego provider's timeout.
type legoTimeoutAdapter struct {
	*legoAdapter
	t challenge.ProviderTimeout
}

// Timeout returns the lego provider's propagation timeout and interval.
func (a *legoTimeoutAdapter) Timeout() (timeout, interval time.Duration) { return a.t.Timeout() }

// Present presents rec through the lego provider.
func (a *legoAdapter) Present(ctx context.Context, rec certs.DNSRecord) error {
	return a.run(ctx, "present", rec.Domain, func() error { return a.p.Present(rec.Domain, rec.Token, rec.KeyAuth) })
}

// CleanUp removes rec through the lego provider.
func (a *legoAdapter) CleanUp(ctx context.Context, rec certs.DNSRecord) error {
	return a.run(ctx, "clean up", rec.Domain, func() error { return a.p.CleanUp(rec.Domain, rec.Token, rec.KeyAuth) })
}

// String names the adapted provider's type, never its configuration.
func (a *legoAdapter) String() string { return fmt.Sprintf("dnsprovider.FromLego(%T)", a.p) }

// Format prints String for every verb, so no verb reaches the lego
// provider's credentials.
func (a *legoAdapter) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// run calls f in a goroutine and returns its error, or ctx's error when
// ctx ends first.
func (a *legoAdapter) run(ctx context.Context, op, domain string, f func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("dnsprovider: %s TXT record for %s: %w", op, domain, err)
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("%w: %v", ErrProviderPanic, r)
			}
		}()
		done <- f()
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("dnsprovider: %s TXT record for %s: %w", op, domain, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("dnsprovider: %s TXT record for %s: %w (the lego call goes on in the background)", op, domain, ctx.Err())
	}
}
