package certs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

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
	// RequirementsFor, when set, gives one hostname's requirements in
	// place of RequirementsConfig, for platforms whose tenants point at
	// different addresses or prove ownership with values of their own
	// (000's app_value and org_value: OwnershipNamed). labels are the
	// hostname's (its tenant is TenantLabel); nil means RequirementsConfig.
	// It must be fast and safe for concurrent use: Get, List and Check
	// call it.
	RequirementsFor func(hostname string, labels map[string]string) *validate.RequirementsConfig
	// RequireOwnership keeps an imported custom certificate in
	// pending_ownership, not served, until Check sees the ownership TXT
	// record. It needs OwnershipValues (or OwnershipNamed, or
	// RequirementsFor).
	RequireOwnership bool
	// PreflightObtain makes Obtain check DNS first and refuse early when
	// issuance cannot succeed: CAA forbids the CA (ErrCAAForbidden), the
	// name does not point here for HTTP-01/TLS-ALPN-01 (ErrNotPointingHere),
	// or its dns-persist-01 record is missing (ErrPersistRecordMissing,
	// with OfferPersist).
	PreflightObtain bool
	// OfferPersist offers hostnames the dns-persist-01 challenge: each
	// hostname's DNSRequirements (Get, Requirements) show the one TXT
	// record its owner adds, once, to let the CA validate it at every
	// order and renewal (DNSRequirements.Persist, see PersistRecord);
	// Check verifies it (PersistTXTConfigured, and a validation error
	// naming the record to add); and an order whose caller names no
	// challenge uses dns-persist-01 once the record is in place. The
	// record names the CA and the ACME account of Config.Issuer (a
	// PersistRecorder, asked at each Check, order and PersistRecord)
	// unless PersistIssuerDomain and PersistAccountURI are set: until the
	// Issuer has been asked once, Get and Requirements cannot show it.
	OfferPersist bool
	// Resolvers ("host:port") find zones and their nameservers; empty
	// means the resolvers of /etc/resolv.conf, which the Manager reads at
	// its first Check (again later only if that read failed).
	Resolvers []string
	// NameserverPort is the port of authoritative nameservers; empty
	// means 53.
	NameserverPort string
	// Timeout bounds each DNS query; zero means 2 seconds.
	Timeout time.Duration
	// CAIdentities are the CAA identities of the CAs in use (the domains
	// their CAA issue records name). Empty means those of Config.Issuer
	// when it is a CAAIdentifier (the acme package's Issuer reads them
	// from its CA's directory), else letsencrypt.org.
	CAIdentities []string

	// system holds the resolvers read from resolvConf ("" means
	// /etc/resolv.conf) by the Manager that holds this configuration, so
	// that it reads the file once. New copies the configuration before
	// its first use; it is not copied after.
	system     atomic.Value // []string
	resolvConf string
	// persist holds the Issuer's PersistIdentity, last asked (see
	// Manager.persistIdentity), for the requirements shown without a ctx.
	persist atomic.Value // PersistIdentity
}

// A CAAIdentifier is an Issuer that knows the domains its CA recognises
// as its own in CAA issue records ("letsencrypt.org"). Check and Obtain's
// DNS pre-flight check CAA against them when Config.DNS.CAIdentities is
// empty. The acme package's Issuer implements it from its CA's ACME
// directory (meta.caaIdentities). CAAIdentities must be safe for
// concurrent use and should be cheap after its first call.
type CAAIdentifier interface {
	CAAIdentities(ctx context.Context) ([]string, error)
}

// Errors of DNS pre-flight checks.
var (
	// ErrCAAForbidden is returned by Obtain when CAA records forbid the CA.
	ErrCAAForbidden = errors.New("certs: CAA records forbid the CA from issuing for this name; add a CAA issue (or issuewild) record for the CA, or remove the restricting one")
	// ErrNotPointingHere is returned by Obtain for HTTP-01 or TLS-ALPN-01
	// when the name does not resolve to the platform.
	ErrNotPointingHere = errors.New("certs: the name does not point at this server, so the CA cannot reach it for http-01 or tls-alpn-01; fix its A/AAAA or CNAME records, or use dns-01")
	// ErrPersistRecordMissing is returned by Obtain for dns-persist-01
	// when Check finds no _validation-persist record for the CA and
	// account (Config.DNS.OfferPersist).
	ErrPersistRecordMissing = errors.New("certs: the name has no dns-persist-01 record for this CA and ACME account, so the CA cannot validate it; add the TXT record of Manager.PersistRecord (DNSRequirements.Persist), or use another challenge")
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
	PersistTXTConfigured   bool                          `json:"persist_txt_configured"`
	CAAPermits             bool                          `json:"caa_permits"`
	ValidationErrors       []validate.DNSValidationError `json:"validation_errors,omitempty"`
}

// CheckResult is the outcome of Check: the hostname's details (with the
// new summary) plus the full DNS report with the records found.
type CheckResult struct {
	Host *Host               `json:"host"`
	DNS  *validate.DNSReport `json:"dns"`
}

// Requirements returns the DNS records hostname needs under Config.DNS
// (with OfferPersist, its dns-persist-01 record once the Issuer was asked;
// see PersistRecord).
func (m *Manager) Requirements(hostname string) (validate.DNSRequirements, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return validate.DNSRequirements{}, err
	}
	return m.dnsRequirements(name), nil
}

// Check does a fresh DNS lookup for a hostname the Manager holds and
// reports what is configured: addresses, CNAME, the _acme-challenge
// delegation, the ownership TXT record, the dns-persist-01 record (with
// Config.DNS.OfferPersist), CAA, the DNS provider, and which records to
// add or fix. The summary is stored on the hostname. When the
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
	h, _, err := m.load(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("certs: check %s: %w", name, err)
	}
	rep, err := m.checkDNS(ctx, name, known(h.Labels))
	if err != nil {
		return nil, err
	}
	return m.applyCheck(ctx, name, rep)
}

// applyCheck stores what the DNS report rep says on the hostname: the
// summary, ownership, further names verified, and whether a pending
// order is due at once.
func (m *Manager) applyCheck(ctx context.Context, name string, rep *validate.DNSReport) (*CheckResult, error) {
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
		PersistTXTConfigured: r.PersistTXTConfigured, CAAPermits: r.CAAPermits, ValidationErrors: r.ValidationErrors,
	}
}

// checkDNS runs the leaf DNS check for name with the Manager's settings.
// checkDNS checks name's DNS against its requirements, those of a record
// with labels (nil: read them from the Store when they matter).
func (m *Manager) checkDNS(ctx context.Context, name string, labels map[string]string) (*validate.DNSReport, error) {
	opts, err := m.checkOptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("certs: check %s: %w", name, err)
	}
	rep, err := validate.Check(ctx, name, m.requirementsOf(name, labels), opts)
	if err != nil {
		return nil, fmt.Errorf("certs: check %s: %w", name, err)
	}
	return rep, nil
}

// dnsRequirements are the records name needs under Config.DNS (with
// RequirementsFor, the hostname's labels are read from the Store).
func (m *Manager) dnsRequirements(name string) validate.DNSRequirements {
	var labels map[string]string
	if m.dnsCfg.RequirementsFor != nil {
		labels = m.labelsOf(name)
	}
	return m.dnsRequirementsFor(name, labels)
}

// known marks a record's labels as read (an empty map, not nil, when it
// has none), so that requirementsOf does not read them again.
func known(labels map[string]string) map[string]string {
	if labels == nil {
		return map[string]string{}
	}
	return labels
}

// requirementsOf are the records name needs: with labels when known,
// else as dnsRequirements.
func (m *Manager) requirementsOf(name string, labels map[string]string) validate.DNSRequirements {
	if labels == nil {
		return m.dnsRequirements(name)
	}
	return m.dnsRequirementsFor(name, labels)
}

// dnsRequirementsFor are the records name, with labels, needs.
func (m *Manager) dnsRequirementsFor(name string, labels map[string]string) validate.DNSRequirements {
	return validate.Requirements(name, m.requirementsConfig(name, labels))
}

// labelsOf returns the stored labels of name, or nil.
func (m *Manager) labelsOf(name string) map[string]string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h, _, err := m.load(ctx, name)
	if err != nil {
		return nil
	}
	return h.Labels
}

// checkOptions are the options of the Manager's DNS checks. With
// OfferPersist it asks the Issuer for its dns-persist-01 identity first,
// so that the checks look for the record it names.
func (m *Manager) checkOptions(ctx context.Context) (validate.CheckOptions, error) {
	m.refreshPersist(ctx)
	resolvers, err := m.resolvers()
	if err != nil {
		return validate.CheckOptions{}, err
	}
	return validate.CheckOptions{
		Resolvers: resolvers, NameserverPort: m.dnsCfg.NameserverPort,
		Timeout: m.dnsCfg.Timeout, CAIdentities: m.caIdentities(ctx),
	}, nil
}

// resolvers are Config.DNS.Resolvers, else the system's, read once.
func (m *Manager) resolvers() ([]string, error) {
	if len(m.dnsCfg.Resolvers) > 0 {
		return m.dnsCfg.Resolvers, nil
	}
	if servers, ok := m.dnsCfg.system.Load().([]string); ok {
		return servers, nil
	}
	servers, err := validate.SystemResolvers(m.dnsCfg.resolvConf)
	if err != nil {
		return nil, fmt.Errorf("%w (the system's resolvers: %v)", ErrNoResolvers, err)
	}
	m.dnsCfg.system.CompareAndSwap(nil, servers)
	return m.dnsCfg.system.Load().([]string), nil
}

// caIdentities are the CAA identities to check: Config.DNS.CAIdentities,
// else the Issuer's (a CAAIdentifier), else nil, which validate reads as
// letsencrypt.org. An Issuer that cannot tell (its CA is unreachable) is
// logged, and letsencrypt.org checked.
func (m *Manager) caIdentities(ctx context.Context) []string {
	if len(m.dnsCfg.CAIdentities) > 0 {
		return m.dnsCfg.CAIdentities
	}
	ci, ok := m.issuer.(CAAIdentifier)
	if !ok {
		return nil
	}
	ids, err := ci.CAAIdentities(ctx)
	if err != nil && ctx.Err() == nil {
		m.log.Warn("certs: the issuer's CAA identities are unknown; checking CAA for "+validate.DefaultCAIdentity,
			"error", err)
	}
	return ids
}

// preflightDNS refuses an order that DNS says cannot succeed, reusing the
// reports of the check that chose its challenge.
func (m *Manager) preflightDNS(ctx context.Context, o *order) error {
	if !m.dnsCfg.PreflightObtain {
		return nil
	}
	for _, name := range o.names {
		rep := o.reports[name]
		if rep == nil {
			var err error
			if rep, err = m.checkDNS(ctx, name, o.labels); err != nil {
				return err
			}
		}
		if err := preflightReport(name, o.options.Challenge, rep); err != nil {
			return err
		}
	}
	return nil
}

// preflightReport is the pre-flight's verdict on name's report rep for
// challenge c.
func preflightReport(name string, c ChallengeType, rep *validate.DNSReport) error {
	switch {
	case !rep.CAAPermits:
		return fmt.Errorf("%w (%s)", ErrCAAForbidden, name)
	case (c == ChallengeHTTP01 && !rep.HTTPConfigured) || (c == ChallengeTLSALPN01 && !rep.ALPNConfigured):
		return fmt.Errorf("%w (%s: %v)", ErrNotPointingHere, name, rep.Err())
	case c == ChallengeDNSPersist01 && rep.Records.PersistTXT != nil && !rep.PersistTXTConfigured:
		return fmt.Errorf("%w (%s: %v)", ErrPersistRecordMissing, name, rep.Err())
	}
	return nil
}

// withRequirements fills a host's derived DNS requirements.
func (m *Manager) withRequirements(h *Host) {
	req := m.dnsRequirementsFor(h.Hostname, h.Labels)
	h.DNSRequirements = &req
}

// CheckMany runs Check for many hostnames, at most concurrency at a time
// (zero means 16), sharing one DNS lookup session (validate.CheckEach) so
// that each zone's nameservers are looked up once. Each hostname gets its
// result or its error; the call itself fails only when ctx is done.
func (m *Manager) CheckMany(ctx context.Context, hostnames []string, concurrency int) (map[string]*CheckResult, map[string]error, error) {
	if concurrency <= 0 {
		concurrency = 16
	}
	results := make(map[string]*CheckResult, len(hostnames))
	names, given, errs := m.checkTargets(ctx, hostnames)
	opts, err := m.checkOptions(ctx)
	if err != nil {
		for _, name := range names {
			for _, h := range given[name] {
				errs[h] = fmt.Errorf("certs: check %s: %w", name, err)
			}
		}
		return results, errs, ctx.Err()
	}
	var mu sync.Mutex
	_ = validate.CheckEach(ctx, names, m.dnsRequirements, opts, concurrency, func(name string, rep *validate.DNSReport, err error) {
		var res *CheckResult
		if err == nil {
			res, err = m.applyCheck(ctx, name, rep)
		} else {
			err = fmt.Errorf("certs: check %s: %w", name, err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, h := range given[name] {
			if err != nil {
				errs[h] = err
			} else {
				results[h] = res
			}
		}
	})
	return results, errs, ctx.Err()
}

// checkTargets normalizes hostnames and loads their records: names are
// the hostnames the Manager holds, once each; given maps each to the
// spellings it was given in; errs holds the others' errors.
func (m *Manager) checkTargets(ctx context.Context, hostnames []string) (names []string, given map[string][]string, errs map[string]error) {
	given, errs = map[string][]string{}, map[string]error{}
	for _, h := range hostnames {
		name, err := NormalizeHostname(h)
		if err == nil {
			if _, _, err = m.load(ctx, name); err != nil {
				err = fmt.Errorf("certs: check %s: %w", name, err)
			}
		}
		if err != nil {
			errs[h] = err
			continue
		}
		if _, ok := given[name]; !ok {
			names = append(names, name)
		}
		given[name] = append(given[name], h)
	}
	return names, given, errs
}
