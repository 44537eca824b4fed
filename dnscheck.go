package certs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/certs-dev/certs/validate"
)

// DNSConfig says where hostnames should point, where _acme-challenge may be
// delegated and how ownership is proven, and how Check looks records up.
// The zero value asks for nothing and checks with the system's resolvers.
type DNSConfig struct {
	// Requirements are the platform's addresses, CNAME target, DNS-01
	// delegation zone and ownership TXT prefix and values; Get and Check
	// derive each hostname's records from them.
	validate.RequirementsConfig
	// RequireOwnership keeps an imported custom certificate in
	// pending_ownership, not served, until Check sees the ownership TXT
	// record. It needs OwnershipValues.
	RequireOwnership bool
	// PreflightObtain makes Obtain check DNS first and refuse early when
	// issuance cannot succeed: CAA forbids the CA (ErrCAAForbidden), or the
	// name does not point here for HTTP-01/TLS-ALPN-01 (ErrNotPointingHere).
	PreflightObtain bool
	// Resolvers ("host:port") find zones and their nameservers; empty
	// means the resolvers of /etc/resolv.conf.
	Resolvers []string
	// NameserverPort is the port of authoritative nameservers; empty
	// means 53.
	NameserverPort string
	// Timeout bounds each DNS query; zero means 2 seconds.
	Timeout time.Duration
	// CAIdentities are the CAA identities of the CAs in use; empty means
	// letsencrypt.org.
	CAIdentities []string
}

// Errors of DNS pre-flight checks.
var (
	// ErrCAAForbidden is returned by Obtain when CAA records forbid the CA.
	ErrCAAForbidden = errors.New("certs: CAA records forbid the CA from issuing for this name; add a CAA issue (or issuewild) record for the CA, or remove the restricting one")
	// ErrNotPointingHere is returned by Obtain for HTTP-01 or TLS-ALPN-01
	// when the name does not resolve to the platform.
	ErrNotPointingHere = errors.New("certs: the name does not point at this server, so the CA cannot reach it for http-01 or tls-alpn-01; fix its A/AAAA or CNAME records, or use dns-01")
)

// CheckSummary is the outcome of a hostname's last Check, kept on the
// hostname (the "validation" object of the platform APIs).
type CheckSummary struct {
	CheckedAt              time.Time                     `json:"checked_at"`
	DNSProvider            string                        `json:"dns_provider,omitempty"`
	DNSConfigured          bool                          `json:"dns_configured"`
	HTTPConfigured         bool                          `json:"http_configured"`
	ALPNConfigured         bool                          `json:"alpn_configured"`
	ACMEDNSConfigured      bool                          `json:"acme_dns_configured"`
	OwnershipTXTConfigured bool                          `json:"ownership_txt_configured"`
	CAAPermits             bool                          `json:"caa_permits"`
	ValidationErrors       []validate.DNSValidationError `json:"validation_errors,omitempty"`
}

// CheckResult is the outcome of Check: the hostname's details (with the
// new summary) plus the full DNS report with the records found.
type CheckResult struct {
	Host *Host               `json:"host"`
	DNS  *validate.DNSReport `json:"dns"`
}

// Requirements returns the DNS records hostname needs under Config.DNS.
func (m *Manager) Requirements(hostname string) (validate.DNSRequirements, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return validate.DNSRequirements{}, err
	}
	return validate.Requirements(name, m.dnsCfg.RequirementsConfig), nil
}

// Check does a fresh DNS lookup for a hostname the Manager holds and
// reports what is configured: addresses, CNAME, the _acme-challenge
// delegation, the ownership TXT record, CAA, the DNS provider, and which
// records to add or fix. The summary is stored on the hostname. When the
// ownership TXT record is found, a custom certificate waiting in
// pending_ownership becomes active and is served; so does each further name
// of the custom certificate (ImportOptions) whose own ownership TXT record
// is found. When the hostname has a
// pending ACME order and Check finds the DNS right for its challenge where
// the previous Check did not (the name points here for http-01 and
// tls-alpn-01; for dns-01 the _acme-challenge delegation, when
// Config.DNS offers one and the order names no DNS provider), the order
// is retried at once by the scheduler (Start, or the next RenewDue),
// unless the CA rate-limited it.
func (m *Manager) Check(ctx context.Context, hostname string) (*CheckResult, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	if _, _, err := m.load(ctx, name); err != nil {
		return nil, fmt.Errorf("certs: check %s: %w", name, err)
	}
	rep, err := m.checkDNS(ctx, name)
	if err != nil {
		return nil, err
	}
	further := m.verifyFurtherNames(ctx, name)
	verified, retry := false, false
	h, err := m.update(ctx, name, false, func(h *Host, _ keyring) error {
		prev := h.LastCheck
		h.LastCheck = summarize(rep)
		retry = m.retryOnCheck(h, prev, m.now())
		if rep.OwnershipTXTConfigured && !h.OwnershipVerified {
			h.OwnershipVerified, verified = true, true
		}
		if h.addVerified(further) {
			verified = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certs: check %s: %w", name, err)
	}
	if retry {
		m.log.Info("certs: DNS now right for the pending order; retrying it now", "hostname", name)
		m.sched.schedule(name, m.nextWake(h))
	}
	if verified && h.OwnershipRequired {
		m.log.Info("certs: ownership verified", "hostname", name)
		m.emit(ctx, EventOwnership, name, SourceCustom, h.Custom, nil)
	}
	m.withRequirements(h)
	return &CheckResult{Host: h, DNS: rep}, nil
}

func summarize(r *validate.DNSReport) *CheckSummary {
	return &CheckSummary{
		CheckedAt: r.CheckedAt, DNSProvider: r.DNSProvider,
		DNSConfigured: r.DNSConfigured, HTTPConfigured: r.HTTPConfigured, ALPNConfigured: r.ALPNConfigured,
		ACMEDNSConfigured: r.ACMEDNSConfigured, OwnershipTXTConfigured: r.OwnershipTXTConfigured,
		CAAPermits: r.CAAPermits, ValidationErrors: r.ValidationErrors,
	}
}

// checkDNS runs the leaf DNS check for name with the Manager's settings.
func (m *Manager) checkDNS(ctx context.Context, name string) (*validate.DNSReport, error) {
	resolvers := m.dnsCfg.Resolvers
	if len(resolvers) == 0 {
		conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(conf.Servers) == 0 {
			return nil, fmt.Errorf("%w (reading /etc/resolv.conf: %v)", ErrNoResolvers, err)
		}
		for _, s := range conf.Servers {
			resolvers = append(resolvers, net.JoinHostPort(s, conf.Port))
		}
	}
	req := validate.Requirements(name, m.dnsCfg.RequirementsConfig)
	rep, err := validate.Check(ctx, name, req, validate.CheckOptions{
		Resolvers: resolvers, NameserverPort: m.dnsCfg.NameserverPort,
		Timeout: m.dnsCfg.Timeout, CAIdentities: m.dnsCfg.CAIdentities,
	})
	if err != nil {
		return nil, fmt.Errorf("certs: check %s: %w", name, err)
	}
	return rep, nil
}

// preflightDNS refuses an order that DNS says cannot succeed.
func (m *Manager) preflightDNS(ctx context.Context, req IssueRequest) error {
	if !m.dnsCfg.PreflightObtain {
		return nil
	}
	for _, name := range req.Names {
		rep, err := m.checkDNS(ctx, name)
		if err != nil {
			return err
		}
		if !rep.CAAPermits {
			return fmt.Errorf("%w (%s)", ErrCAAForbidden, name)
		}
		if (req.Challenge == ChallengeHTTP01 && !rep.HTTPConfigured) ||
			(req.Challenge == ChallengeTLSALPN01 && !rep.ALPNConfigured) {
			return fmt.Errorf("%w (%s: %v)", ErrNotPointingHere, name, rep.Err())
		}
	}
	return nil
}

// withRequirements fills a host's derived DNS requirements.
func (m *Manager) withRequirements(h *Host) {
	req := validate.Requirements(h.Hostname, m.dnsCfg.RequirementsConfig)
	h.DNSRequirements = &req
}

// CheckMany runs Check for many hostnames, at most concurrency at a time
// (zero means 16). Each hostname gets its result or its error; the call
// itself fails only when ctx is done.
func (m *Manager) CheckMany(ctx context.Context, hostnames []string, concurrency int) (map[string]*CheckResult, map[string]error, error) {
	if concurrency <= 0 {
		concurrency = 16
	}
	results := make(map[string]*CheckResult, len(hostnames))
	errs := make(map[string]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, concurrency)
	for _, h := range hostnames {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return results, errs, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			res, err := m.Check(ctx, h)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs[h] = err
			} else {
				results[h] = res
			}
		}()
	}
	wg.Wait()
	return results, errs, ctx.Err()
}
