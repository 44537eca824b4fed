package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"math/big"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Keeping OCSP responses up to date (see ocsp.go): the scheduler's part,
// loading from the Store, and recording outcomes on the certificates.

// errOCSPReplaced stops an update whose certificate was replaced meanwhile.
var errOCSPReplaced = errors.New("certs: the certificate was replaced meanwhile")

// ocspOutcome is the result of asking a certificate's responder.
type ocspOutcome struct {
	resp      *ocsp.Response // verified; nil on failure
	responder string
	err       error
}

// maintainOCSP brings the OCSP responses of h's certificates up to date
// when due (the scheduler calls it for a due hostname) and returns the
// hostname as it is afterwards. Failures are recorded and logged.
func (m *Manager) maintainOCSP(ctx context.Context, h *Host) *Host {
	if m.ocsp == nil {
		return h
	}
	for _, fp := range certFingerprints(h) {
		c := certByFingerprint(h, fp)
		now := m.now()
		e, ok := m.ocsp.entry(c)
		if c == nil || !ok || c.RevokedAt != nil || !now.Before(c.NotAfter) {
			continue
		}
		// An expired response must stop being stapled, and a newer one
		// another replica stored must start: refresh loads and publishes.
		if m.ocsp.dropExpired(c, now) || e.needsLoad(c, now) {
			if next, err := m.refresh(ctx, h.Hostname); err == nil {
				h, c = next, certByFingerprint(next, fp)
			}
		}
		if at := m.ocspWake(c, now); at.IsZero() || at.After(now) {
			continue
		}
		h = m.refreshStaple(ctx, h, c, now)
	}
	return h
}

// refreshStaple asks c's responder, keeps a good response in the Store and
// in memory, records the outcome on every certificate of the hostname with
// c's fingerprint (which publishes it), and reports a revocation.
func (m *Manager) refreshStaple(ctx context.Context, h *Host, c *Certificate, now time.Time) *Host {
	m.ocsp.fetched(c)
	var out ocspOutcome
	leaf, issuer, err := m.ocspTarget(c, now)
	if err == nil {
		out.resp, out.responder, err = m.askOCSP(ctx, leaf, issuer, now)
	}
	out.err = err
	if ctx.Err() != nil {
		return h // stopping: not a failure of the responder
	}
	fp := c.FingerprintSHA256
	if err == nil && out.resp.Status == ocsp.Good {
		st := &staple{der: out.resp.Raw, thisUpdate: out.resp.ThisUpdate, nextUpdate: out.resp.NextUpdate}
		if err := m.store.PutBlob(ctx, stapleKey(fp), st.der); err != nil {
			m.log.Warn("certs: cannot store the OCSP response; only this process staples it",
				"hostname", h.Hostname, "fingerprint", fp, "error", err)
		}
		m.ocsp.keep(c, st)
	}
	next, revoked, err := m.recordOCSP(ctx, h.Hostname, fp, out, now)
	switch {
	case errors.Is(err, errOCSPReplaced):
		return h
	case err != nil:
		m.log.Error("certs: cannot record the OCSP response", "hostname", h.Hostname, "fingerprint", fp, "error", err)
		return h
	}
	m.logOCSP(next.Hostname, fp, out)
	for _, rc := range revoked {
		m.emit(ctx, EventRevoked, next.Hostname, rc.Source, rc, nil)
	}
	return next
}

// logOCSP logs the outcome of asking a responder.
func (m *Manager) logOCSP(host, fp string, out ocspOutcome) {
	switch {
	case errors.Is(out.err, errOCSPIneligible):
		m.log.Info("certs: not stapling OCSP", "hostname", host, "fingerprint", fp, "reason", out.err)
	case out.err != nil:
		m.log.Warn("certs: OCSP fetch failed; handshakes go on without a new response",
			"hostname", host, "fingerprint", fp, "error", out.err)
	case out.resp.Status == ocsp.Revoked:
		m.log.Warn("certs: the CA's OCSP responder reports the certificate revoked; it is no longer served",
			"hostname", host, "fingerprint", fp, "responder", out.responder,
			"revoked_at", out.resp.RevokedAt, "reason", out.resp.RevocationReason)
	default:
		m.log.Debug("certs: OCSP response stapled", "hostname", host, "fingerprint", fp,
			"this_update", out.resp.ThisUpdate, "next_update", out.resp.NextUpdate)
	}
}

// recordOCSP records out on the certificates of name with fingerprint fp
// and returns the stored host and the certificates it found revoked.
func (m *Manager) recordOCSP(ctx context.Context, name, fp string, out ocspOutcome, now time.Time) (*Host, []*Certificate, error) {
	var revoked []*Certificate
	h, err := m.update(ctx, name, false, func(h *Host, _ keyring) error {
		revoked = revoked[:0]
		found := false
		for _, c := range h.allCertificates() {
			if c.FingerprintSHA256 != fp || c.RevokedAt != nil {
				continue
			}
			found = true
			if applyOCSP(c, out, now) {
				revoked = append(revoked, c)
			}
		}
		if !found {
			return errOCSPReplaced
		}
		return nil
	})
	return h, revoked, err
}

// applyOCSP records out on c and reports whether c was found revoked.
func applyOCSP(c *Certificate, out ocspOutcome, now time.Time) bool {
	o := &OCSPInfo{}
	if c.OCSP != nil {
		cp := *c.OCSP
		o = &cp
	}
	c.OCSP = o
	o.CheckedAt = &now
	if out.responder != "" {
		o.Responder = out.responder
	}
	switch {
	case errors.Is(out.err, errOCSPIneligible):
		next := now.Add(ocspIneligibleRetry)
		o.LastError, o.NextRefreshAt = out.err.Error(), &next
	case out.err != nil:
		o.FailureCount++
		next := now.Add(ocspBackoff(o.FailureCount))
		o.LastError, o.NextRefreshAt = out.err.Error(), &next
	case out.resp.Status == ocsp.Revoked:
		at, reason := out.resp.RevokedAt, RevocationReason(out.resp.RevocationReason)
		if at.IsZero() {
			at = now
		}
		o.Status, o.RevokedAt, o.RevocationReason = OCSPRevoked, &at, &reason
		o.LastError, o.FailureCount, o.NextRefreshAt = "", 0, nil
		markRevoked(c, at, reason)
		return true
	default:
		this, next := out.resp.ThisUpdate, out.resp.NextUpdate
		refresh := ocspRefreshAt(this, next, now)
		o.Status, o.ThisUpdate, o.NextUpdate, o.NextRefreshAt = OCSPGood, &this, &next, &refresh
		o.LastError, o.FailureCount = "", 0
	}
	return false
}

// ocspRefreshAt is when to refresh a good response valid from this to
// next: halfway, at least an hour from now (half of what is left when
// less than two hours are, never under a minute) and at most seven days.
func ocspRefreshAt(this, next, now time.Time) time.Time {
	at := this.Add(next.Sub(this) / 2)
	if floor := now.Add(max(min(ocspMinRefresh, next.Sub(now)/2), time.Minute)); at.Before(floor) {
		at = floor
	}
	if ceil := now.Add(ocspMaxRefresh); at.After(ceil) {
		at = ceil
	}
	return at
}

// loadStaples loads from the Store the good responses h's record holds
// that this process does not (at start-up, or fetched by another replica),
// so that they are stapled without asking the responder again. A response
// missing from the Store is fetched by the scheduler at once.
func (m *Manager) loadStaples(ctx context.Context, h *Host) {
	if m.ocsp == nil {
		return
	}
	now := m.now()
	for _, c := range h.allCertificates() {
		e, _ := m.ocsp.entry(c)
		if c.RevokedAt != nil || !e.needsLoad(c, now) {
			continue
		}
		st, err := m.storedStaple(ctx, c, now)
		if err == nil {
			m.ocsp.keep(c, st)
		} else if !errors.Is(err, ErrNotFound) {
			m.log.Warn("certs: cannot load the stored OCSP response; fetching it again",
				"hostname", h.Hostname, "fingerprint", c.FingerprintSHA256, "error", err)
		}
		m.ocsp.looked(c, *c.OCSP.ThisUpdate, err == nil)
	}
}

// storedStaple reads c's response from the Store. The Store is trusted (it
// holds the private keys): the response is checked to be a good answer
// for c's serial number, valid at now, not verified again.
func (m *Manager) storedStaple(ctx context.Context, c *Certificate, now time.Time) (*staple, error) {
	der, err := m.store.GetBlob(ctx, stapleKey(c.FingerprintSHA256))
	if err != nil {
		return nil, err
	}
	serial, ok := new(big.Int).SetString(c.Serial, 16)
	if !ok {
		return nil, errors.New("certs: the certificate's recorded serial number is not hex")
	}
	resp, err := ocsp.ParseResponseForCert(der, &x509.Certificate{SerialNumber: serial}, nil)
	if err != nil {
		return nil, err
	}
	if resp.NextUpdate.IsZero() {
		resp.NextUpdate = resp.ThisUpdate.Add(ocspNoNextUpdate)
	}
	st := &staple{der: der, thisUpdate: resp.ThisUpdate, nextUpdate: resp.NextUpdate}
	if resp.Status != ocsp.Good || !st.validAt(now) {
		return nil, errors.New("certs: the stored OCSP response is not a current good answer")
	}
	return st, nil
}

// dropStaples deletes the stored responses of the certificates with
// fingerprints before that h no longer holds (replaced, removed). A
// failure is logged: the blob is only wasted space.
func (m *Manager) dropStaples(ctx context.Context, before []string, h *Host) {
	for _, fp := range before {
		if certByFingerprint(h, fp) != nil {
			continue
		}
		if err := m.store.DeleteBlob(ctx, stapleKey(fp)); err != nil {
			m.log.Warn("certs: cannot delete the OCSP response of a replaced certificate", "fingerprint", fp, "error", err)
		}
	}
}

// ocspFingerprints returns the fingerprints of h's certificates that may
// have a stored OCSP response.
func ocspFingerprints(h *Host) []string {
	var out []string
	for _, c := range h.allCertificates() {
		if c.OCSP != nil && !slices.Contains(out, c.FingerprintSHA256) {
			out = append(out, c.FingerprintSHA256)
		}
	}
	return out
}

// allCertificates returns h's certificates: custom, ACME, then ACMEAlt.
func (h *Host) allCertificates() []*Certificate {
	out := make([]*Certificate, 0, 3)
	for _, c := range []*Certificate{h.Custom, h.ACME, h.ACMEAlt} {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// certFingerprints returns the distinct fingerprints of h's certificates.
func certFingerprints(h *Host) []string {
	var out []string
	for _, c := range h.allCertificates() {
		if !slices.Contains(out, c.FingerprintSHA256) {
			out = append(out, c.FingerprintSHA256)
		}
	}
	return out
}

// certByFingerprint returns h's first certificate with fingerprint fp, or
// nil.
func certByFingerprint(h *Host, fp string) *Certificate {
	for _, c := range h.allCertificates() {
		if c.FingerprintSHA256 == fp {
			return c
		}
	}
	return nil
}
