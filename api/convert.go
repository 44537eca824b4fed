package api

import (
	"slices"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/validate"
)

// reasonNames are the revocation reasons by their API names.
var reasonNames = map[string]certs.RevocationReason{
	"unspecified":            certs.ReasonUnspecified,
	"key_compromise":         certs.ReasonKeyCompromise,
	"affiliation_changed":    certs.ReasonAffiliationChanged,
	"superseded":             certs.ReasonSuperseded,
	"cessation_of_operation": certs.ReasonCessationOfOperation,
}

func reasonName(r certs.RevocationReason) string {
	for name, v := range reasonNames {
		if v == r {
			return name
		}
	}
	return "unspecified"
}

// toHostname is the API's view of h.
func toHostname(h *certs.Host) Hostname {
	out := Hostname{
		Hostname: h.Hostname, DisplayName: h.DisplayName, Labels: userLabels(h.Labels),
		Status: string(h.Status), ACMERequested: h.ACMERequested,
		HasCustomCertificate: h.Custom != nil, HasACMECertificate: h.ACME != nil,
		RateLimitedUntil: h.RateLimitedUntil, Certificates: []Certificate{},
		ServedNames: nonNil(h.ServedNames), ValidationErrors: []ValidationError{},
		CreatedAt: h.CreatedAt, UpdatedAt: h.UpdatedAt,
	}
	if h.Custom != nil {
		out.Certificates = append(out.Certificates, toCertificate(h.Custom, nil))
	}
	if h.ACME != nil {
		out.Certificates = append(out.Certificates, toCertificate(h.ACME, h.ACMEAlt))
	}
	if h.Pending != nil {
		out.PendingOrder = toPending(h.Pending)
	}
	if c := h.LastCheck; c != nil {
		at := c.CheckedAt
		out.Validation = Validation{CheckedAt: &at, DNSConfigured: c.DNSConfigured, ALPNConfigured: c.ALPNConfigured,
			HTTPConfigured: c.HTTPConfigured, ACMEDNSConfigured: c.ACMEDNSConfigured,
			OwnershipTXTConfigured: c.OwnershipTXTConfigured, CAAPermits: c.CAAPermits}
		out.Configured = c.DNSConfigured
		out.DNSProvider = optional(c.DNSProvider)
		for _, e := range c.ValidationErrors {
			out.ValidationErrors = append(out.ValidationErrors, dnsError(e))
		}
	}
	v := out.Validation
	out.ACMEDNSConfigured, out.ACMEALPNConfigured, out.ACMEHTTPConfigured = v.ACMEDNSConfigured, v.ALPNConfigured, v.HTTPConfigured
	out.OwnershipTXTConfigured = v.OwnershipTXTConfigured
	for _, p := range h.ValidationErrors {
		out.ValidationErrors = append(out.ValidationErrors, challengeError(p))
	}
	if h.DNSRequirements != nil {
		out.DNSRequirements = toRequirements(*h.DNSRequirements)
	} else {
		out.DNSRequirements = toRequirements(validate.DNSRequirements{})
	}
	return out
}

// toCertificate is the API's view of c; alt is the ACME certificate of
// the other key family, if any.
func toCertificate(c *certs.Certificate, alt *certs.Certificate) Certificate {
	out := Certificate{
		Source: string(c.Source), Status: string(c.Status), Issuer: optional(c.Issuer),
		CommonName: c.CommonName, Names: nonNil(c.Names), SANs: nonNil(c.SANs),
		KeyType: c.KeyType, KeyBits: c.KeyBits, Serial: c.Serial, FingerprintSHA256: c.FingerprintSHA256,
		NotBefore: c.NotBefore, ExpiresAt: c.NotAfter, DaysUntilExpiry: c.DaysUntilExpiry,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Warnings: []Warning{}, Issued: []Issued{},
	}
	if len(out.Names) == 0 {
		out.Names = []string{}
	}
	for _, w := range c.Warnings {
		out.Warnings = append(out.Warnings, Warning{Code: w.Code, Message: w.Message})
	}
	if c.Source != certs.SourceACME {
		return out
	}
	for _, ic := range []*certs.Certificate{c, alt} {
		if ic != nil {
			out.Issued = append(out.Issued, Issued{Type: ic.KeyType, KeyBits: ic.KeyBits, Status: string(ic.Status),
				ExpiresAt: ic.NotAfter, CertificateAuthority: ic.CertificateAuthority, FingerprintSHA256: ic.FingerprintSHA256})
		}
	}
	autoRenew := c.AutoRenew
	out.AutoRenew = &autoRenew
	if c.Options != nil {
		o := toOptions(*c.Options)
		out.ACMEOptions = &o
	}
	out.CertificateAuthority = c.CertificateAuthority
	out.NextRenewalAt, out.LastRenewAttempt, out.LastRenewError = c.NextRenewalAt, c.LastRenewAttempt, c.LastRenewError
	out.RenewedFrom, out.RevokedAt = c.RenewedFrom, c.RevokedAt
	if c.RevocationReason != nil {
		out.RevocationReason = reasonName(*c.RevocationReason)
	}
	return out
}

func toOptions(o certs.ACMEOptions) ACMEOptions {
	return ACMEOptions{KeyType: string(o.KeyType), AltKeyType: string(o.AltKeyType), Challenge: string(o.Challenge),
		Profile: o.Profile, DNSProvider: o.DNSProvider}
}

func toPending(p *certs.PendingOrder) *PendingOrder {
	return &PendingOrder{Names: nonNil(p.Names), Options: toOptions(p.Options), AutoRenew: p.AutoRenew,
		RequestedAt: p.RequestedAt, Attempts: p.Attempts, LastAttemptAt: p.LastAttemptAt,
		LastError: p.LastError, NextAttemptAt: p.NextAttemptAt}
}

func toRequirements(r validate.DNSRequirements) DNSRequirements {
	return DNSRequirements{
		A: nonNil(r.A), AAAA: nonNil(r.AAAA), CNAME: optional(r.CNAME),
		ACMEChallenge: ACMEChallengeRecord{Name: r.ACMEChallenge.Name, Target: optional(r.ACMEChallenge.Target)},
		Ownership: OwnershipRecord{Name: optional(r.Ownership.Name), Values: nonNil(r.Ownership.Values),
			AppValue: named(r.Ownership.Named, "app_value"), OrgValue: named(r.Ownership.Named, "org_value")},
	}
}

func dnsError(e validate.DNSValidationError) ValidationError {
	out := ValidationError{Source: "dns", Code: e.Code, Message: e.Message}
	if e.Record.Type != "" || e.Record.Name != "" {
		out.Record = &DNSRecord{Type: e.Record.Type, Name: e.Record.Name, Value: e.Record.Value}
	}
	return out
}

func challengeError(p certs.ChallengeProblem) ValidationError {
	return ValidationError{Source: "acme", Code: "challenge_failed", Message: p.Detail, Domain: p.Domain,
		Challenge: string(p.Challenge), Hint: p.Hint}
}

func toRecords(r validate.DNSRecords) DNSRecords {
	out := DNSRecords{
		A: nonNil(r.A), AAAA: nonNil(r.AAAA), CNAME: nonNil(r.CNAME), ResolvedAddresses: nonNil(r.ResolvedAddresses),
		Zone: r.Zone, SOA: r.SOA, NS: nonNil(r.NS), ACMEChallengeCNAME: optional(r.ACMEChallengeCNAME),
		OwnershipTXT: nonNil(r.OwnershipTXT), CAA: []CAARecord{},
	}
	for _, c := range r.CAA {
		out.CAA = append(out.CAA, CAARecord{Name: c.Name, Flag: int(c.Flag), Tag: c.Tag, Value: c.Value})
	}
	return out
}

func toStatus(s *certs.CertificateStatus) CertificateStatus {
	out := CertificateStatus{Hostname: s.Hostname, Status: string(s.Status), AutoRenew: s.AutoRenew,
		LastRenewAttempt: s.LastRenewAttempt, LastRenewError: optional(s.LastRenewError)}
	if s.Source != "" {
		src, exp, days := string(s.Source), s.ExpiresAt, s.DaysUntilExpiry
		out.Source, out.ExpiresAt, out.DaysUntilExpiry = &src, &exp, &days
	}
	return out
}

func toReport(rep *certs.Report, hostname string) ValidationReport {
	out := ValidationReport{Valid: rep.Valid, Hostname: optional(hostname), Errors: []ProblemItem{}, Warnings: []Warning{}}
	for _, err := range rep.Errors {
		code := uploadCode(err)
		if code == "" {
			code = codeInvalidCertificate
		}
		out.Errors = append(out.Errors, ProblemItem{Code: code, Detail: userMessage(err)})
	}
	for _, w := range rep.Warnings {
		out.Warnings = append(out.Warnings, Warning{Code: w.Code, Message: w.Message})
	}
	if f := rep.Facts; f.FingerprintSHA256 != "" {
		out.Facts = &Facts{CommonName: f.CommonName, SANs: nonNil(f.SANs), Issuer: f.Issuer, Serial: f.Serial,
			NotBefore: f.NotBefore, ExpiresAt: f.NotAfter, KeyType: f.KeyType, KeyBits: f.KeyBits,
			SignatureAlgorithm: f.SignatureAlgorithm, FingerprintSHA256: f.FingerprintSHA256, SelfSigned: f.SelfSigned}
	}
	return out
}

// nonNil returns a copy of s, never nil, so that JSON shows [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return slices.Clone(s)
}

// optional is nil for "", so that JSON shows null.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// named returns the value called key, or nil.
func named(values map[string]string, key string) *string {
	if v, ok := values[key]; ok && v != "" {
		return &v
	}
	return nil
}
