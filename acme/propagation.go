package acme

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/certs-dev/certs"
)

// dnsQueryTimeout bounds one DNS exchange.
const dnsQueryTimeout = 5 * time.Second

// propagationTimeouter is a DNSProvider that suggests how long its records
// take to propagate and how often to look, as lego's
// challenge.ProviderTimeout does (dnsprovider.TimeoutProvider).
type propagationTimeouter interface {
	Timeout() (timeout, interval time.Duration)
}

// propagationWait returns how long to wait for provider's records to be
// visible, and how often to look (0: 250 ms, doubling up to 4 s):
// Config.PropagationTimeout when set, else the provider's own timeout and
// interval, else DefaultPropagationTimeout.
func (i *Issuer) propagationWait(provider certs.DNSProvider) (timeout, interval time.Duration) {
	timeout = i.propagation
	t, ok := provider.(propagationTimeouter)
	if !ok {
		return timeout, 0
	}
	pt, pi := t.Timeout()
	if i.cfg.PropagationTimeout == 0 && pt > 0 {
		timeout = pt
	}
	return timeout, max(pi, 0)
}

// waitPropagation waits, for at most the propagation timeout in all, until
// every TXT record is visible. Records that are not become problems.
func (i *Issuer) waitPropagation(ctx context.Context, c certs.ChallengeType, provider certs.DNSProvider, attempts []*attempt) ([]certs.ChallengeProblem, error) {
	timeout, interval := i.propagationWait(provider)
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	poll := newPoller(250*time.Millisecond, 4*time.Second)
	if interval > 0 {
		poll = newPoller(interval, interval)
	}
	pending, lastErr := attempts, map[*attempt]error{}
	for len(pending) > 0 {
		next := make([]*attempt, 0, len(pending))
		for _, at := range pending {
			// Queries run under ctx (each bounded by dnsQueryTimeout), so
			// that the deadline does not masquerade as a DNS failure.
			if err := i.dns.hasTXT(ctx, at.record.FQDN, at.record.Value); err != nil {
				lastErr[at] = err
				next = append(next, at)
			}
		}
		pending = next
		if len(pending) == 0 || poll.wait(pctx) != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("acme: dns-01 propagation: %w", ctx.Err())
	}
	problems := make([]certs.ChallengeProblem, 0, len(pending))
	for _, at := range pending {
		problems = append(problems, certs.ChallengeProblem{
			Domain: at.target, Challenge: c,
			Detail: fmt.Sprintf("the TXT record was not visible within %s (checked before asking the CA): %v", timeout, lastErr[at]),
			Hint:   hint(c, at),
		})
	}
	return problems, nil
}

// hasTXT checks value at fqdn on every Config.DNSResolvers, or on every
// authoritative name server of fqdn's zone (through the first of its
// addresses that answers). It returns nil when all serve it.
func (d *dnsChecker) hasTXT(ctx context.Context, fqdn, value string) error {
	if d.res == nil {
		return d.err
	}
	groups, recurse := [][]string{}, len(d.resolvers) > 0
	if recurse {
		for _, r := range d.resolvers {
			groups = append(groups, []string{r})
		}
	} else {
		z, err := d.res.Zone(ctx, fqdn)
		if err != nil {
			return fmt.Errorf("find the zone of %s: %w", fqdn, err)
		}
		for _, ns := range z.NS {
			if len(z.Addrs[ns]) == 0 {
				return fmt.Errorf("name server %s of zone %s has no address", ns, z.Apex)
			}
			groups = append(groups, z.Addrs[ns])
		}
		if len(groups) == 0 {
			return fmt.Errorf("no NS records found for zone %s", z.Apex)
		}
	}
	for _, addrs := range groups {
		values, err := d.txt(ctx, addrs, fqdn, recurse)
		if err != nil {
			return err
		}
		if !slices.Contains(values, value) {
			return fmt.Errorf("%s does not serve the value at %s yet", strings.Join(addrs, "/"), fqdn)
		}
	}
	return nil
}

// txt asks the first of addrs that answers for the TXT values at fqdn.
func (d *dnsChecker) txt(ctx context.Context, addrs []string, fqdn string, recurse bool) ([]string, error) {
	var err error
	for _, a := range addrs {
		var values []string
		if values, err = d.res.TXT(ctx, a, fqdn, recurse); err == nil || ctx.Err() != nil {
			return values, err
		}
	}
	return nil, err
}
