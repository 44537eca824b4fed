package main

import (
	"fmt"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
)

// hostView is what the human tables show of a hostname, from a local
// certs.Host or a remote api.Hostname alike. (--json prints those as they
// are.)
type hostView struct {
	Hostname, Status string
	ServedNames      []string
	Certs            []certView
	Pending          *pendingView
	// OrderProblems are the challenges the CA could not validate in the
	// last failed order; DNSProblems the records the last check wants
	// fixed.
	OrderProblems, DNSProblems []string
	RateLimitedUntil           *time.Time
}

// certView is one certificate of a hostView.
type certView struct {
	Source, Status, Issuer, CA     string
	KeyType                        string
	Names                          []string
	NotBefore, NotAfter            time.Time
	Days                           int
	Serial, Fingerprint            string
	AutoRenew                      *bool
	NextRenewal, RevokedAt         *time.Time
	LastRenewError, RevokedBecause string
	Warnings                       []string
}

// pendingView is an ACME order not fulfilled yet.
type pendingView struct {
	Names     []string
	Attempts  int
	LastError string
	NextAt    *time.Time
}

// viewOfHost is the view of a local hostname.
func viewOfHost(h *certs.Host) hostView {
	v := hostView{Hostname: h.Hostname, Status: string(h.Status), ServedNames: h.ServedNames,
		RateLimitedUntil: h.RateLimitedUntil}
	for _, c := range []*certs.Certificate{h.Custom, h.ACME, h.ACMEAlt} {
		if c != nil {
			v.Certs = append(v.Certs, viewOfCert(c))
		}
	}
	if p := h.Pending; p != nil {
		v.Pending = &pendingView{Names: p.Names, Attempts: p.Attempts, LastError: p.LastError, NextAt: p.NextAttemptAt}
	}
	for _, p := range h.ValidationErrors {
		v.OrderProblems = append(v.OrderProblems, challengeProblem(p.Domain, string(p.Challenge), p.Detail, p.Hint))
	}
	if c := h.LastCheck; c != nil {
		for _, e := range c.ValidationErrors {
			v.DNSProblems = append(v.DNSProblems, e.Message)
		}
	}
	return v
}

func viewOfCert(c *certs.Certificate) certView {
	v := certView{Source: string(c.Source), Status: string(c.Status), Issuer: c.Issuer, CA: c.CertificateAuthority,
		KeyType: keyType(c.KeyType, c.KeyBits), Names: c.Names, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		Days: c.DaysUntilExpiry, Serial: c.Serial, Fingerprint: c.FingerprintSHA256,
		NextRenewal: c.NextRenewalAt, RevokedAt: c.RevokedAt, LastRenewError: c.LastRenewError}
	if len(v.Names) == 0 {
		v.Names = c.SANs
	}
	if c.Source == certs.SourceACME {
		v.AutoRenew = &c.AutoRenew
	}
	if c.RevocationReason != nil {
		v.RevokedBecause = fmt.Sprint(int(*c.RevocationReason))
	}
	for _, w := range c.Warnings {
		v.Warnings = append(v.Warnings, w.Code+": "+w.Message)
	}
	return v
}

// viewOfAPI is the view of a remote hostname.
func viewOfAPI(h *api.Hostname) hostView {
	v := hostView{Hostname: h.Hostname, Status: h.Status, ServedNames: h.ServedNames, RateLimitedUntil: h.RateLimitedUntil}
	for _, c := range h.Certificates {
		cv := certView{Source: c.Source, Status: c.Status, CA: c.CertificateAuthority,
			KeyType: keyType(c.KeyType, c.KeyBits), Names: c.Names, NotBefore: c.NotBefore, NotAfter: c.ExpiresAt,
			Days: c.DaysUntilExpiry, Serial: c.Serial, Fingerprint: c.FingerprintSHA256, AutoRenew: c.AutoRenew,
			NextRenewal: c.NextRenewalAt, RevokedAt: c.RevokedAt, LastRenewError: c.LastRenewError,
			RevokedBecause: c.RevocationReason}
		if c.Issuer != nil {
			cv.Issuer = *c.Issuer
		}
		for _, w := range c.Warnings {
			cv.Warnings = append(cv.Warnings, w.Code+": "+w.Message)
		}
		v.Certs = append(v.Certs, cv)
	}
	if p := h.PendingOrder; p != nil {
		v.Pending = &pendingView{Names: p.Names, Attempts: p.Attempts, LastError: p.LastError, NextAt: p.NextAttemptAt}
	}
	for _, e := range h.ValidationErrors {
		if e.Source == "acme" {
			v.OrderProblems = append(v.OrderProblems, challengeProblem(e.Domain, e.Challenge, e.Message, e.Hint))
		} else {
			v.DNSProblems = append(v.DNSProblems, e.Message)
		}
	}
	return v
}

// challengeProblem describes a challenge the CA could not validate.
func challengeProblem(domain, challenge, detail, hint string) string {
	s := fmt.Sprintf("%s (%s): %s", domain, challenge, detail)
	if hint != "" {
		s += "; " + hint
	}
	return s
}

// keyType is "ecdsa-256", "rsa-2048", ...
func keyType(kind string, bits int) string {
	if bits == 0 {
		return kind
	}
	return fmt.Sprintf("%s-%d", kind, bits)
}

// served is the certificate a handshake gets: the first usable one
// (custom before ACME), else the first one.
func (v hostView) served() *certView {
	for i, c := range v.Certs {
		if c.Status == string(certs.StatusActive) || c.Status == string(certs.StatusExpiringSoon) {
			return &v.Certs[i]
		}
	}
	if len(v.Certs) > 0 {
		return &v.Certs[0]
	}
	return nil
}
