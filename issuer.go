package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ChallengeType names an ACME challenge (RFC 8555 section 8, RFC 8737).
type ChallengeType string

// The ACME challenge types.
const (
	ChallengeHTTP01    ChallengeType = "http-01"
	ChallengeTLSALPN01 ChallengeType = "tls-alpn-01"
	ChallengeDNS01     ChallengeType = "dns-01"
)

// KeyType names the private key an issuer generates for a certificate.
type KeyType string

// The supported key types. EC256 is the default.
const (
	KeyEC256   KeyType = "ec256"
	KeyEC384   KeyType = "ec384"
	KeyRSA2048 KeyType = "rsa2048"
	KeyRSA4096 KeyType = "rsa4096"
)

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

// ChallengeSolver makes an HTTP-01 or TLS-ALPN-01 challenge answerable. The
// Manager implements it: HTTP-01 tokens go to the Store so that any replica
// can answer; TLS-ALPN-01 certificates are served by GetCertificate.
type ChallengeSolver interface {
	Present(ctx context.Context, domain, token, keyAuth string) error
	CleanUp(ctx context.Context, domain, token, keyAuth string) error
}

// DNSRecord is one DNS-01 TXT record to present.
type DNSRecord struct {
	// Domain is the name being validated, without "*." ("example.com").
	Domain string
	// FQDN is the TXT record's fully qualified name with a trailing dot,
	// after following any _acme-challenge CNAME delegation.
	FQDN string
	// Value is the TXT record's value (base64url SHA-256 of KeyAuth).
	Value string
	// Token and KeyAuth are the raw challenge; adapters for providers that
	// compute the record themselves (lego's) need them.
	Token   string
	KeyAuth string
}

// DNSProvider presents and cleans up DNS-01 TXT records.
//
// Implementations must be safe for concurrent use, honour ctx, and make
// CleanUp of a record that is not there a success. Credentials must never
// appear in errors, logs or String output.
type DNSProvider interface {
	Present(ctx context.Context, rec DNSRecord) error
	CleanUp(ctx context.Context, rec DNSRecord) error
}

// IssueRequest asks an Issuer for one certificate.
type IssueRequest struct {
	// Names are normalized hostnames; the first is the primary one.
	// Wildcards ("*.example.com") require DNS-01.
	Names []string
	// KeyType of the certificate's new private key; empty means KeyEC256.
	KeyType KeyType
	// Profile is the ACME profile ("classic", "tlsserver", "shortlived");
	// empty lets the CA choose.
	Profile string
	// Challenge selects the challenge type; empty means the issuer's default.
	Challenge ChallengeType
	// HTTP01 and TLSALPN01 answer those challenges; DNS01 presents TXT
	// records. Only the one for Challenge is required.
	HTTP01    ChallengeSolver
	TLSALPN01 ChallengeSolver
	DNS01     DNSProvider
	// Replaces is the certificate this one renews, for ACME ARI (RFC 9773).
	Replaces *x509.Certificate
	// DryRun runs every pre-flight check but places no order.
	DryRun bool
}

// IssuedCertificate is what an Issuer returns.
type IssuedCertificate struct {
	// ChainPEM is the leaf followed by its intermediates.
	ChainPEM []byte
	// KeyPEM is the PKCS#8 private key. It is a secret.
	KeyPEM []byte `json:"-"`
	// URL is the CA's URL for the certificate, if any.
	URL string
	// CA names the certificate authority (for example the directory URL).
	CA string
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

// Issuer obtains and revokes certificates from a certificate authority.
// The acme package implements it on lego.
//
// Implementations must be safe for concurrent use and must return when ctx
// is done, leaking nothing. Errors that a user can act on are typed:
// *ValidationError for failed challenges, *RateLimitError for rate limits.
type Issuer interface {
	Issue(ctx context.Context, req IssueRequest) (*IssuedCertificate, error)
	Revoke(ctx context.Context, chainPEM []byte, reason RevocationReason) error
}

// A StoreUser is an Issuer that keeps secrets of its own in a Store (the
// acme package's Issuer keeps its ACME account key there). New hands it
// the Manager's Store, sealed when Config.EncryptionKey is set, when it has
// no Store or has the very Store given as Config.Store: in the natural
// set-up, where both share one Store, everything secret is then sealed at
// rest.
type StoreUser interface {
	// Store returns the Store the Issuer uses, or nil.
	Store() Store
	// UseStore makes the Issuer use st. It is called before first use.
	UseStore(st Store)
}

// RenewalWindow is a CA's suggested renewal window (ACME ARI, RFC 9773).
type RenewalWindow struct {
	Start, End time.Time
	// RetryAfter is when to ask again.
	RetryAfter time.Time
	// ExplanationURL optionally explains an early window (e.g. mass revocation).
	ExplanationURL string
}

// A RenewalInfoer is an Issuer that can fetch ARI renewal windows. The
// renewal scheduler uses it when available.
type RenewalInfoer interface {
	RenewalInfo(ctx context.Context, cert *x509.Certificate) (*RenewalWindow, error)
}

// RateLimitError reports that the CA refused a request for rate limiting.
type RateLimitError struct {
	// RetryAfter is when the CA allows another attempt.
	RetryAfter time.Time
	// Detail is the CA's problem detail.
	Detail string
}

// Error implements the error interface.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("certs: rate limited by the CA until %s: %s; wait until then before retrying",
		e.RetryAfter.UTC().Format(time.RFC3339), e.Detail)
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// ValidationError reports failed challenges for an order.
type ValidationError struct {
	Problems []ChallengeProblem
	// TimedOut is set when the CA did not finish validating in time; the
	// error then also matches ErrValidationTimeout.
	TimedOut bool
}

// ChallengeProblem is one failed challenge.
type ChallengeProblem struct {
	Domain    string        `json:"domain"`
	Challenge ChallengeType `json:"challenge"`
	// Detail is the CA's problem detail.
	Detail string `json:"detail"`
	// Hint tells the user what to fix.
	Hint string `json:"hint"`
}

// Error implements the error interface.
func (e *ValidationError) Error() string {
	msg := "certs: validation failed"
	for _, p := range e.Problems {
		msg += fmt.Sprintf("; %s (%s): %s", p.Domain, p.Challenge, p.Detail)
		if p.Hint != "" {
			msg += " (" + p.Hint + ")"
		}
	}
	return msg
}

// Is makes errors.Is(err, ErrValidationFailed) true.
func (e *ValidationError) Is(target error) bool {
	return target == ErrValidationFailed || (e.TimedOut && target == ErrValidationTimeout)
}

// Errors of the issuance path.
var (
	// ErrNoIssuer is returned by Obtain and Renew when Config.Issuer is nil.
	ErrNoIssuer = errors.New("certs: no issuer configured; set Config.Issuer (for example acme.New)")
	// ErrRateLimited matches every *RateLimitError.
	ErrRateLimited = errors.New("certs: rate limited by the CA")
	// ErrValidationFailed matches every *ValidationError.
	ErrValidationFailed = errors.New("certs: challenge validation failed")
	// ErrWildcardNeedsDNS01 is returned for a wildcard with another challenge.
	ErrWildcardNeedsDNS01 = errors.New("certs: wildcard certificates require the dns-01 challenge; set ObtainOptions.Challenge to dns-01 and configure a DNSProvider")
	// ErrNoDNSProvider is returned for DNS-01 without a provider.
	ErrNoDNSProvider = errors.New("certs: dns-01 requires a DNS provider; set Config.DNSProvider or ObtainOptions.DNSProvider")
	// ErrInvalidKeyType is returned for a KeyType outside the supported set.
	ErrInvalidKeyType = errors.New("certs: invalid key type; use ec256, ec384, rsa2048 or rsa4096")
	// ErrInvalidReason is returned for a revocation reason ACME does not accept.
	ErrInvalidReason = errors.New("certs: invalid revocation reason; use an RFC 5280 code: 0, 1, 3, 4 or 5")
)
