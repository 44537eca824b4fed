package certs

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"time"
)

// ChallengeType names an ACME challenge (RFC 8555 section 8, RFC 8737,
// draft-ietf-acme-scoped-dns-challenges, draft-ietf-acme-dns-persist).
type ChallengeType string

// The ACME challenge types.
const (
	ChallengeHTTP01    ChallengeType = "http-01"
	ChallengeTLSALPN01 ChallengeType = "tls-alpn-01"
	ChallengeDNS01     ChallengeType = "dns-01"
	// ChallengeDNSAccount01 is dns-01 with a TXT record whose name is
	// scoped to the ACME account ("_<label>._acme-challenge.<name>", the
	// label derived from the account URI), so that several ACME clients
	// (several platforms, or a platform and the customer's own tooling)
	// can validate one name side by side. A DNSProvider presents it.
	ChallengeDNSAccount01 ChallengeType = "dns-account-01"
	// ChallengeDNSPersist01 is validated by one permanent TXT record,
	// "_validation-persist.<name>", that names the CA and the ACME account
	// (see Manager.PersistRecord). Once the name's owner has added it,
	// orders and renewals need no DNS provider and no credentials.
	ChallengeDNSPersist01 ChallengeType = "dns-persist-01"
)

// Valid reports whether c is one of the challenge types.
func (c ChallengeType) Valid() bool {
	switch c {
	case ChallengeHTTP01, ChallengeTLSALPN01, ChallengeDNS01, ChallengeDNSAccount01, ChallengeDNSPersist01:
		return true
	}
	return false
}

// DNSBased reports whether c is validated through DNS (dns-01,
// dns-account-01, dns-persist-01): the challenges that can validate
// wildcard names.
func (c ChallengeType) DNSBased() bool {
	return c == ChallengeDNS01 || c == ChallengeDNSAccount01 || c == ChallengeDNSPersist01
}

// needsDNSProvider reports whether c's records are presented by a
// DNSProvider (dns-01, dns-account-01).
func (c ChallengeType) needsDNSProvider() bool {
	return c == ChallengeDNS01 || c == ChallengeDNSAccount01
}

// KeyType names the private key an issuer generates for a certificate.
type KeyType string

// The supported key types. EC256 is the default.
const (
	KeyEC256   KeyType = "ec256"
	KeyEC384   KeyType = "ec384"
	KeyRSA2048 KeyType = "rsa2048"
	KeyRSA4096 KeyType = "rsa4096"
)

// rsa reports whether k is an RSA key type.
func (k KeyType) rsa() bool { return k == KeyRSA2048 || k == KeyRSA4096 }

// Valid reports whether k is one of the supported key types.
func (k KeyType) Valid() bool {
	switch k {
	case KeyEC256, KeyEC384, KeyRSA2048, KeyRSA4096:
		return true
	}
	return false
}

// RevocationReason is an RFC 5280 section 5.3.1 CRLReason code.
type RevocationReason int

// The RFC 5280 reason codes that ACME servers accept.
const (
	ReasonUnspecified          RevocationReason = 0
	ReasonKeyCompromise        RevocationReason = 1
	ReasonAffiliationChanged   RevocationReason = 3
	ReasonSuperseded           RevocationReason = 4
	ReasonCessationOfOperation RevocationReason = 5
)

// Valid reports whether r is a reason code an ACME server accepts.
func (r RevocationReason) Valid() bool {
	switch r {
	case ReasonUnspecified, ReasonKeyCompromise, ReasonAffiliationChanged,
		ReasonSuperseded, ReasonCessationOfOperation:
		return true
	}
	return false
}

// DNSRecord is one DNS-01 or DNS-ACCOUNT-01 TXT record to present.
type DNSRecord struct {
	// Domain is the name being validated, without "*." ("example.com").
	Domain string
	// FQDN is the TXT record's fully qualified name with a trailing dot,
	// after following any CNAME delegation: "_acme-challenge.<Domain>."
	// for dns-01, the account-scoped "_<label>._acme-challenge.<Domain>."
	// for dns-account-01.
	FQDN string
	// Value is the TXT record's value (base64url SHA-256 of KeyAuth).
	Value string
	// Token and KeyAuth are the raw challenge; adapters for providers that
	// compute the record themselves (lego's) need them.
	Token   string
	KeyAuth string
}

// IssueRequest asks an Issuer for one certificate.
type IssueRequest struct {
	// Names are normalized hostnames; the first is the primary one.
	// Wildcards ("*.example.com") require a DNS challenge (DNSBased).
	Names []string
	// KeyType of the certificate's new private key; empty means KeyEC256.
	KeyType KeyType
	// Profile is the ACME profile ("classic", "tlsserver", "shortlived");
	// empty lets the CA choose.
	Profile string
	// Challenge selects the challenge type; empty means the issuer's default.
	Challenge ChallengeType
	// HTTP01 and TLSALPN01 answer those challenges; DNS01 presents the
	// TXT records of dns-01 and dns-account-01. Only the one for Challenge
	// is required; dns-persist-01 needs none.
	HTTP01    ChallengeSolver
	TLSALPN01 ChallengeSolver
	DNS01     DNSProvider
	// Replaces is the certificate this one renews, for ACME ARI (RFC 9773).
	Replaces *x509.Certificate
	// DryRun runs every pre-flight check but places no order.
	DryRun bool
	// PreferCA is the readable name of the CA to try first (a renewal
	// prefers the CA that issued the certificate); see Issuers.
	PreferCA string
}

// IssuedCertificate is what an Issuer returns.
type IssuedCertificate struct {
	// ChainPEM is the leaf followed by its intermediates.
	ChainPEM []byte
	// KeyPEM is the PKCS#8 private key. It is a secret.
	KeyPEM []byte `json:"-"`
	// URL is the CA's URL for the certificate, if any.
	URL string
	// CA identifies the certificate authority (for example the directory
	// URL); CAName is its readable name ("lets_encrypt").
	CA     string
	CAName string
	// FailedCAs are the CAs tried before, in order, and why each failed
	// (see Issuers).
	FailedCAs []CAFailure
}

// CAFailure is one CA that failed an order before another one issued.
type CAFailure struct {
	CA    string `json:"ca"`
	Error string `json:"error"`
}

// String describes the certificate without its key.
func (c IssuedCertificate) String() string {
	return fmt.Sprintf("IssuedCertificate{URL: %q, CA: %q, key: redacted}", c.URL, c.CA)
}

// GoString is like String.
func (c IssuedCertificate) GoString() string { return c.String() }

// Format makes every fmt verb (%v, %d, %x, ...) print String, never the key.
func (c IssuedCertificate) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes slog print String.
func (c IssuedCertificate) LogValue() slog.Value { return slog.StringValue(c.String()) }

// RenewalWindow is a CA's suggested renewal window (ACME ARI, RFC 9773).
type RenewalWindow struct {
	Start, End time.Time
	// RetryAfter is when to ask again.
	RetryAfter time.Time
	// ExplanationURL optionally explains an early window (e.g. mass revocation).
	ExplanationURL string
}
