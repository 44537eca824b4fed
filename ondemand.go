package certs

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// OnDemandConfig turns on on-demand TLS: a handshake for a server name the
// Manager does not hold obtains a certificate for it, when Decide allows,
// while the client waits (a bounded time). It is for platforms whose
// customers point names at them at any time.
//
// What is already held or stored is always served without asking Decide,
// so a slow or dead policy endpoint never becomes a TLS outage: a name
// another replica stored is loaded from the Store on first sight. Decisions
// are remembered for DecisionTTL; denied names and failed orders are
// remembered with a backoff (1 minute, 10 minutes, 100 minutes, then a day),
// so that scanners sending random server names cost one decision each. One
// order per name however many handshakes arrive at once (and across
// replicas, through the Store's lock), and at most MaxConcurrent orders at a
// time and MaxPerMinute new ones a minute.
type OnDemandConfig struct {
	// Decide says whether a certificate may be obtained for name: nil
	// allows, an error denies (wrap ErrOnDemandDenied). It is required; see
	// AllowNames, AllowSuffixes and AskURL.
	Decide func(ctx context.Context, name string) error
	// Options are the orders' options. The zero value uses tls-alpn-01,
	// answered by GetCertificate on the same listener.
	Options ObtainOptions
	// Wait bounds how long a handshake waits for its order; the order goes
	// on after that, and a later handshake gets the certificate. Zero means
	// 10 seconds.
	Wait time.Duration
	// MaxConcurrent bounds the orders in flight; zero means 8.
	MaxConcurrent int
	// MaxPerMinute bounds the orders started in any minute; zero means 20.
	MaxPerMinute int
	// DecisionTTL is how long a decision of Decide is remembered; zero
	// means one minute.
	DecisionTTL time.Duration
}

// withDefaults checks c and fills in its defaults.
func (c OnDemandConfig) withDefaults() (OnDemandConfig, error) {
	if c.Decide == nil {
		return c, fmt.Errorf("%w: OnDemand needs Decide, the policy that says which names may get a certificate (see AllowNames, AllowSuffixes, AskURL)", ErrInvalidConfig)
	}
	if c.Wait < 0 || c.MaxConcurrent < 0 || c.MaxPerMinute < 0 || c.DecisionTTL < 0 {
		return c, fmt.Errorf("%w: OnDemand limits must not be negative (zero means the default)", ErrInvalidConfig)
	}
	if c.Options.Challenge == "" {
		c.Options.Challenge = ChallengeTLSALPN01
	}
	if c.Options.DryRun {
		return c, fmt.Errorf("%w: OnDemand.Options.DryRun would never obtain anything", ErrInvalidConfig)
	}
	c.Wait = cmpOr(c.Wait, 10*time.Second)
	c.MaxConcurrent = cmpOr(c.MaxConcurrent, 8)
	c.MaxPerMinute = cmpOr(c.MaxPerMinute, 20)
	c.DecisionTTL = cmpOr(c.DecisionTTL, time.Minute)
	return c, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// AllowNames is an on-demand policy that allows exactly the given names
// (normalized as hostnames; a wildcard "*.example.com" allows every name
// one label below it).
func AllowNames(names ...string) func(context.Context, string) error {
	allowed := make([]string, 0, len(names))
	for _, n := range names {
		if h, err := NormalizeHostname(n); err == nil {
			allowed = append(allowed, h)
		}
	}
	return func(_ context.Context, name string) error {
		if slices.Contains(allowed, name) {
			return nil
		}
		if i := strings.IndexByte(name, '.'); i > 0 && slices.Contains(allowed, "*"+name[i:]) {
			return nil
		}
		return fmt.Errorf("%w: %s is not in the allowed names", ErrOnDemandDenied, name)
	}
}

// AllowSuffixes is an on-demand policy that allows names under any of the
// given domains ("example.com" allows "a.example.com" and
// "b.a.example.com", not "example.com" itself).
func AllowSuffixes(domains ...string) func(context.Context, string) error {
	suffixes := make([]string, 0, len(domains))
	for _, d := range domains {
		if h, err := NormalizeHostname(d); err == nil {
			suffixes = append(suffixes, "."+h)
		}
	}
	return func(_ context.Context, name string) error {
		for _, s := range suffixes {
			if strings.HasSuffix(name, s) {
				return nil
			}
		}
		return fmt.Errorf("%w: %s is under none of the allowed domains", ErrOnDemandDenied, name)
	}
}

// AskURL is an on-demand policy that asks an HTTP endpoint, as Caddy's
// "ask" does: GET endpoint?domain=<name> must answer 2xx to allow. Any
// other answer, or no answer within 5 seconds, denies. A nil client means
// one with a 5-second timeout.
func AskURL(endpoint string, client *http.Client) func(context.Context, string) error {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	return func(ctx context.Context, name string) error {
		u, err := url.Parse(endpoint)
		if err != nil {
			return fmt.Errorf("%w: the ask URL does not parse: %v", ErrOnDemandDenied, err)
		}
		q := u.Query()
		q.Set("domain", name)
		u.RawQuery = q.Encode()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrOnDemandDenied, err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%w: the ask endpoint did not answer: %v", ErrOnDemandDenied, err)
		}
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return fmt.Errorf("%w: the ask endpoint answered %s for %s", ErrOnDemandDenied, resp.Status, name)
		}
		return nil
	}
}
