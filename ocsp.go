package certs

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"sync"
	"time"
)

// How OCSP stapling works.
//
// A certificate that names an OCSP responder (its Authority Information
// Access extension) gets the responder's signed answer stapled to every
// handshake, so that clients need not ask the CA themselves, and a
// certificate marked "OCSP Must-Staple" (RFC 7633) is accepted by the
// browsers that enforce it. Let's Encrypt no longer runs OCSP, but
// certificates of other CAs, uploaded or obtained from another ACME CA,
// still carry responder URLs.
//
//   - Responses are fetched by the scheduler (Start, or RenewDue), never in
//     a handshake, and only for certificates whose chain verifies against
//     Config.Roots (else the system roots): the responder is asked about
//     the certificate and its issuer, and an uploaded certificate cannot
//     make the Manager send requests to an address of its uploader's
//     choosing.
//   - A response is stapled only once verified: signed by the issuer (or
//     by a responder certificate the issuer delegated OCSP signing to), for
//     this certificate's serial number, and current (between its
//     ThisUpdate and NextUpdate; one day after ThisUpdate when the
//     responder gives no NextUpdate). Anything else is recorded as a
//     failure and not stapled.
//   - A good response is kept in the Store as a blob named after the
//     certificate's fingerprint ("ocsp/<sha256>"), so that restarts and
//     other replicas staple it without asking again, and its times are
//     recorded on the certificate (Certificate.OCSP).
//   - It is refreshed halfway through its validity, at least an hour and
//     at most seven days after it was fetched (when it is valid for less
//     than two more hours, halfway through what is left, but not within a
//     minute). A failed fetch is retried after 1, 10 and 60 minutes, then
//     hourly; meanwhile the response held goes on being stapled until its
//     NextUpdate, and after that handshakes go on without a staple. OCSP
//     never fails or delays a handshake.
//   - A "revoked" answer is recorded on the certificate (OCSP status,
//     RevokedAt, RevocationReason), logged and emitted as a "revoked"
//     event. The certificate is then treated as one revoked through Revoke:
//     it is no longer served (the hostname falls back to its other
//     certificate, or serves nothing) and an ACME one is no longer renewed.
//   - A Must-Staple custom certificate without a current response is not
//     preferred: the hostname's ACME certificate, if any, is served until
//     the response arrives (a client enforcing Must-Staple would refuse
//     the custom one).
//
// Config.DisableOCSPStapling turns all of this off.
//
// Stapling publishes a copy of the tls.Certificate with OCSPStaple set, the
// way any change is published (see index.go): handshakes in flight keep
// what they have.

// OCSPStatus is a certificate's status as its CA's OCSP responder last
// reported it.
type OCSPStatus string

// The OCSP statuses the Manager records. An "unknown" answer is recorded
// as a failed fetch (OCSPInfo.LastError).
const (
	OCSPGood    OCSPStatus = "good"
	OCSPRevoked OCSPStatus = "revoked"
)

// OCSPInfo is what the Manager knows of a certificate's OCSP responses. It
// is set on certificates that name an OCSP responder once the scheduler
// has asked it (see Config.DisableOCSPStapling).
type OCSPInfo struct {
	// Responder is the URL of the responder last asked.
	Responder string `json:"responder,omitempty"`
	// Status is the last verified answer: good, revoked, or empty before
	// the first one.
	Status OCSPStatus `json:"status,omitempty"`
	// ThisUpdate and NextUpdate bound the validity of the last good
	// response, the one stapled. NextUpdate is one day after ThisUpdate
	// when the responder gave none.
	ThisUpdate *time.Time `json:"this_update,omitempty"`
	NextUpdate *time.Time `json:"next_update,omitempty"`
	// Stapled is derived on read: a good response is held and valid now,
	// so handshakes get it.
	Stapled bool `json:"stapled"`
	// RevokedAt and RevocationReason are the responder's, for a revoked
	// answer.
	RevokedAt        *time.Time        `json:"revoked_at,omitempty"`
	RevocationReason *RevocationReason `json:"revocation_reason,omitempty"`
	// CheckedAt is when the responder was last asked.
	CheckedAt *time.Time `json:"checked_at,omitempty"`
	// LastError says why the last attempt failed (unreachable responder,
	// a response that does not verify, a chain that does not verify);
	// FailureCount counts the failures in a row.
	LastError    string `json:"last_error,omitempty"`
	FailureCount int    `json:"failure_count,omitempty"`
	// NextRefreshAt is when the scheduler asks again.
	NextRefreshAt *time.Time `json:"next_refresh_at,omitempty"`
}

// derive returns a copy of o with the derived fields set at now (a copy:
// a Host's certificates may share it with a clone).
func (o *OCSPInfo) derive(now time.Time) *OCSPInfo {
	if o == nil {
		return nil
	}
	d := *o
	d.Stapled = o.Status == OCSPGood && o.ThisUpdate != nil && o.NextUpdate != nil &&
		!now.Before(o.ThisUpdate.Add(-ocspClockSkew)) && now.Before(*o.NextUpdate)
	return &d
}

const (
	// ocspMinRefresh and ocspMaxRefresh bound the wait before refreshing a
	// good response.
	ocspMinRefresh = time.Hour
	ocspMaxRefresh = 7 * 24 * time.Hour
	// ocspMaxBackoff caps the wait after failures.
	ocspMaxBackoff = time.Hour
	// ocspIneligibleRetry is the wait before looking again at a certificate
	// whose responder cannot be asked (its chain does not verify).
	ocspIneligibleRetry = 24 * time.Hour
	// ocspNoNextUpdate is how long a response without NextUpdate is used.
	ocspNoNextUpdate = 24 * time.Hour
	// ocspClockSkew is how far in the future a ThisUpdate may be.
	ocspClockSkew = 5 * time.Minute
)

// ocspBackoff is the wait after the n-th failure in a row: the renewal
// backoff, capped at an hour.
func ocspBackoff(n int) time.Duration { return min(backoff(n), ocspMaxBackoff) }

// stapleKey is the Store blob of the OCSP response of the certificate with
// this fingerprint.
func stapleKey(fingerprint string) string { return "ocsp/" + fingerprint }

// stapler holds, per certificate fingerprint, what this process knows of
// the certificates it serves that name an OCSP responder: the response it
// staples, if any. Entries are added when a certificate is published and
// dropped once the certificate has expired. It is safe for concurrent use;
// handshakes never touch it.
type stapler struct {
	mu    sync.Mutex
	certs map[string]*ocspCert
	swept int // len(certs) after the last sweep
}

// ocspCert is one certificate's entry.
type ocspCert struct {
	notAfter time.Time
	staple   *staple // the good response held, or nil
	// loadedFor is the ThisUpdate of the recorded response that was last
	// looked for in the Store, so that a missing blob is looked for once.
	loadedFor time.Time
	// fetchNow asks the scheduler to fetch at once (the recorded response
	// is not in the Store); cleared by the fetch.
	fetchNow bool
}

// staple is a verified good OCSP response.
type staple struct {
	der                    []byte
	thisUpdate, nextUpdate time.Time
}

// validAt reports whether s may be stapled at now.
func (s *staple) validAt(now time.Time) bool {
	return s != nil && !now.Before(s.thisUpdate.Add(-ocspClockSkew)) && now.Before(s.nextUpdate)
}

func newStapler() *stapler { return &stapler{certs: map[string]*ocspCert{}} }

// attach registers c, whose key pair is tc, when it names an OCSP
// responder, and staples the response held for it when valid at now. A
// nil stapler (stapling disabled) does nothing.
func (s *stapler) attach(c *Certificate, tc *tls.Certificate, now time.Time) {
	if s == nil || tc.Leaf == nil || len(tc.Leaf.OCSPServer) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.certs[c.FingerprintSHA256]
	if e == nil {
		e = &ocspCert{notAfter: c.NotAfter}
		s.certs[c.FingerprintSHA256] = e
		if len(s.certs) > 2*s.swept+1024 {
			s.sweep(now)
		}
	}
	if e.staple.validAt(now) {
		tc.OCSPStaple = e.staple.der
	}
}

// sweep drops the entries of expired certificates and the responses that
// are no longer valid. Callers hold s.mu.
func (s *stapler) sweep(now time.Time) {
	for fp, e := range s.certs {
		switch {
		case now.After(e.notAfter):
			delete(s.certs, fp)
		case e.staple != nil && !now.Before(e.staple.nextUpdate):
			e.staple = nil
		}
	}
	s.swept = len(s.certs)
}

// entry returns a copy of c's entry and whether there is one, that is,
// whether this process serves c and c names an OCSP responder.
func (s *stapler) entry(c *Certificate) (ocspCert, bool) {
	if s == nil || c == nil {
		return ocspCert{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.certs[c.FingerprintSHA256]
	if e == nil {
		return ocspCert{}, false
	}
	return *e, true
}

// keep holds st as c's response unless a newer one is held, and clears
// fetchNow.
func (s *stapler) keep(c *Certificate, st *staple) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.certs[c.FingerprintSHA256]
	if e == nil {
		e = &ocspCert{notAfter: c.NotAfter}
		s.certs[c.FingerprintSHA256] = e
	}
	if e.staple == nil || !st.thisUpdate.Before(e.staple.thisUpdate) {
		e.staple = st
	}
	e.fetchNow = false
}

// fetched records that c's responder was asked: the scheduler no longer
// needs to fetch at once.
func (s *stapler) fetched(c *Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.certs[c.FingerprintSHA256]; e != nil {
		e.fetchNow = false
	}
}

// looked records that the Store was searched for the response recorded
// with ThisUpdate t; when it was not found (found false), the scheduler
// fetches at once.
func (s *stapler) looked(c *Certificate, t time.Time, found bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.certs[c.FingerprintSHA256]
	if e == nil {
		e = &ocspCert{notAfter: c.NotAfter}
		s.certs[c.FingerprintSHA256] = e
	}
	e.loadedFor = t
	if !found {
		e.fetchNow = true
	}
}

// dropExpired forgets c's response when it is no longer valid at now, and
// reports whether it did (what is published must then be replaced).
func (s *stapler) dropExpired(c *Certificate, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.certs[c.FingerprintSHA256]
	if e == nil || e.staple == nil || now.Before(e.staple.nextUpdate) {
		return false
	}
	e.staple = nil
	return true
}

// needsLoad reports whether c's record holds a good response, valid at
// now, that is newer than the one held and not yet looked for in the
// Store (another replica fetched it, or this process just started).
func (e *ocspCert) needsLoad(c *Certificate, now time.Time) bool {
	o := c.OCSP
	if o == nil || o.Status != OCSPGood || o.ThisUpdate == nil || o.NextUpdate == nil || !now.Before(*o.NextUpdate) {
		return false
	}
	if e.staple != nil && !e.staple.thisUpdate.Before(*o.ThisUpdate) {
		return false
	}
	return !e.loadedFor.Equal(*o.ThisUpdate)
}

// ocspWake is when the scheduler should look at c's OCSP response next:
// now when it was never fetched or a newer one is in the Store, else its
// refresh time, or the expiry of the response held when that comes first
// (to stop stapling it). Zero means never: stapling is off, c is not
// served here, names no responder, is revoked or has expired.
func (m *Manager) ocspWake(c *Certificate, now time.Time) time.Time {
	e, ok := m.ocsp.entry(c)
	if !ok || c.RevokedAt != nil || !now.Before(c.NotAfter) {
		return time.Time{}
	}
	o := c.OCSP
	if o == nil || o.NextRefreshAt == nil || e.fetchNow || e.needsLoad(c, now) {
		return now
	}
	at := *o.NextRefreshAt
	if st := e.staple; st != nil && st.nextUpdate.Before(at) {
		at = st.nextUpdate // then fetch, and stop stapling it if that fails
	}
	if at.Before(now) {
		return now
	}
	return at
}

// oidTLSFeature is the TLS Feature extension (RFC 7633).
var oidTLSFeature = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}

// statusRequest is the TLS feature that asks for a stapled OCSP response.
const statusRequest = 5

// mustStaple reports whether leaf asks to be served with an OCSP response
// (the TLS Feature extension lists status_request).
func mustStaple(leaf *x509.Certificate) bool {
	if leaf == nil {
		return false
	}
	for _, ext := range leaf.Extensions {
		if !ext.Id.Equal(oidTLSFeature) {
			continue
		}
		var features []int
		if rest, err := asn1.Unmarshal(ext.Value, &features); err == nil && len(rest) == 0 {
			return slices.Contains(features, statusRequest)
		}
	}
	return false
}
