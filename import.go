package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/certs-dev/certs/custom"
	"github.com/certs-dev/certs/validate"
)

// Input is a certificate upload: PEM full chain and key, a separate chain,
// DER, or a PKCS#12/PFX bundle with its password. See custom.Input.
type Input = custom.Input

// UploadLimits bound the work one upload may cost; see Config.UploadLimits
// and custom.Limits.
type UploadLimits = custom.Limits

// Report is the outcome of Validate: valid, errors, warnings and the
// parsed facts. See validate.Report.
type Report = validate.Report

// Validate checks an upload for hostname without storing it, the way Import
// would: parsing, chain assembly, key match, validity, hostname coverage
// and chain trust. Parse failures are reported in Errors too. An empty
// hostname skips the coverage check.
func (m *Manager) Validate(in Input, hostname string) *Report {
	return m.ValidateContext(context.Background(), in, hostname)
}

// ValidateContext is Validate with a context: parsing a large or hostile
// upload stops when ctx is done.
func (m *Manager) ValidateContext(ctx context.Context, in Input, hostname string) *Report {
	_, rep := m.check(ctx, in, hostname)
	return rep
}

// check parses and validates an upload. The bundle is nil when parsing
// failed.
func (m *Manager) check(ctx context.Context, in Input, hostname string) (*custom.Bundle, *Report) {
	if hostname != "" {
		h, err := NormalizeHostname(hostname)
		if err != nil {
			return nil, &Report{Errors: []error{err}}
		}
		hostname = h
	}
	b, err := custom.ParseContext(ctx, in, m.uploadLimits)
	if err != nil {
		return nil, &Report{Errors: []error{err}}
	}
	rep := validate.Certificate(b.Leaf, b.Intermediates, b.PrivateKey, validate.Options{
		Hostname:            hostname,
		Roots:               m.roots,
		RequireTrustedChain: m.requireTrusted,
		AllowWeakKeys:       m.allowWeak,
		Now:                 m.now(),
		ExpiringWithin:      m.expiringWithin,
		MaxSANs:             m.maxSANs,
		AllowLegacy:         m.allowLegacy,
		MaxChainLength:      m.uploadLimits.MaxChainLength,
	})
	for _, n := range b.Notes {
		rep.AddWarning(n.Code, n.Message)
	}
	return b, rep
}

// ImportOptions tune one Import.
type ImportOptions struct {
	// Names are further names to serve the certificate for, besides the
	// hostname (for example "www.example.com" and "api.example.com" for a
	// certificate imported under "example.com"). Each must be covered by
	// the certificate (ErrHostnameMismatch) and must not be held by
	// another hostname (*NameConflictError).
	Names []string
	// AllNames serves the certificate for every DNS name it lists.
	AllNames bool
	// DisplayName and Labels, when set, replace the hostname's metadata in
	// the same write that stores the certificate (see SetMetadata), so that
	// a new hostname never exists without them (for example its tenant,
	// TenantLabel).
	DisplayName string
	Labels      map[string]string
}

// Import validates an upload for hostname, stores it as the hostname's
// custom certificate and starts serving it, atomically: on any error
// nothing stored or served changes. The returned error wraps the typed
// errors of the failed checks (ErrKeyMismatch, ErrExpired, ...). An existing
// custom certificate is replaced; an ACME certificate is kept as fallback.
func (m *Manager) Import(ctx context.Context, hostname string, in Input, opts ImportOptions) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	b, rep := m.check(ctx, in, name)
	if !rep.Valid || b == nil {
		return nil, fmt.Errorf("certs: import %s: %w", name, errors.Join(rep.Errors...))
	}
	keyPEM, err := b.KeyPEM()
	if err != nil {
		return nil, fmt.Errorf("certs: import %s: %w", name, err)
	}
	names, warnings, err := furtherNames(name, b.Leaf, opts)
	if err == nil {
		err = m.claimNames(ctx, name, names)
	}
	if err != nil {
		return nil, fmt.Errorf("certs: import %s: %w", name, err)
	}
	now := m.now()
	cert := &Certificate{
		Source:    SourceCustom,
		Facts:     rep.Facts,
		ChainPEM:  string(b.ChainPEM()),
		Warnings:  withWarnings(rep, warnings),
		Names:     names,
		CreatedAt: now,
		UpdatedAt: now,
	}
	h, err := m.update(ctx, name, true, func(h *Host, keys keyring) error {
		if old := h.Custom; old != nil {
			cert.CreatedAt = old.CreatedAt
		}
		h.Custom = cert
		keys[SourceCustom] = keyPEM
		if opts.DisplayName != "" {
			h.DisplayName = opts.DisplayName
		}
		if opts.Labels != nil {
			h.Labels = maps.Clone(opts.Labels)
		}
		if m.dnsCfg.RequireOwnership {
			h.OwnershipRequired = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certs: import %s: %w", name, err)
	}
	m.sched.schedule(name, m.nextWake(h))
	m.log.Info("certs: imported custom certificate", "hostname", name,
		"not_after", cert.NotAfter, "fingerprint", cert.FingerprintSHA256)
	m.withRequirements(h)
	m.emit(ctx, EventImported, name, SourceCustom, h.Custom, nil)
	if h.Custom.Status == StatusExpiringSoon && m.notify(name, h.Custom) {
		m.emit(ctx, EventExpiring, name, SourceCustom, h.Custom, nil)
	}
	return h, nil
}

// furtherNames returns the names a custom certificate is served for, the
// hostname first: opts.Names, each normalized and covered by leaf, or with
// AllNames every DNS name of leaf (names that cannot be served, such as
// malformed ones, are skipped with a warning).
func furtherNames(hostname string, leaf *x509.Certificate, opts ImportOptions) ([]string, []validate.Warning, error) {
	names := []string{hostname}
	for _, raw := range opts.Names {
		n, err := NormalizeHostname(raw)
		if err != nil {
			return nil, nil, err
		}
		if !validate.MatchHostname(leaf, n) {
			return nil, nil, fmt.Errorf("%w: the certificate does not cover %s, which ImportOptions.Names asks to serve; "+
				"drop it or upload a certificate that lists it", ErrHostnameMismatch, n)
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var warnings []validate.Warning
	if opts.AllNames {
		for _, san := range leaf.DNSNames {
			n, err := NormalizeHostname(san)
			if err != nil {
				warnings = append(warnings, validate.Warning{Code: WarningNameSkipped,
					Message: fmt.Sprintf("the certificate's name %.80q is not served: %v", san, err)})
				continue
			}
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names, warnings, nil
}

// WarningNameSkipped is the code of the import warning for a name of the
// certificate that ImportOptions.AllNames could not serve.
const WarningNameSkipped = "name_skipped"

// withWarnings adds further warnings to the report's, deduplicated and
// capped as the report's own, and returns them all.
func withWarnings(rep *Report, more []validate.Warning) []validate.Warning {
	for _, w := range more {
		rep.AddWarning(w.Code, w.Message)
	}
	return rep.Warnings
}
