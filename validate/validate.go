// Package validate inspects certificates (and, later, DNS) without storing
// anything: key match, validity window, hostname coverage, chain trust and
// the warnings a user should see before serving a certificate.
//
// It is a leaf package: it imports nothing else of this module.
package validate

import (
	"crypto/x509"
	"errors"
	"time"
)

// Errors reported by Certificate. Each is usable with errors.Is; the wrapped
// message says what to fix. ErrKeyMismatch, ErrNoCertificate and
// ErrChainTooLong are the same conditions as custom's errors of those
// names: errors.Is matches either.
var (
	ErrKeyMismatch      = error(&condition{"key_mismatch", "validate: private key does not match the certificate"})
	ErrExpired          = errors.New("validate: certificate has expired")
	ErrNotYetValid      = errors.New("validate: certificate is not yet valid")
	ErrHostnameMismatch = errors.New("validate: certificate does not cover the hostname")
	ErrIncompleteChain  = errors.New("validate: certificate chain is incomplete or untrusted")
	ErrWeakKey          = errors.New("validate: key is too weak")
	ErrNotLeaf          = errors.New("validate: certificate is a CA certificate, not a server certificate")
	// ErrNoCertificate is reported when Certificate is given a nil leaf.
	ErrNoCertificate = error(&condition{"no_certificate", "validate: no certificate"})

	// ErrNoSAN reports a leaf naming its host only in the subject common
	// name, without a DNS or IP subject alternative name: Go, Chrome and
	// every current client refuse it. Options.AllowLegacy makes it a
	// warning (WarnNoSAN).
	ErrNoSAN = errors.New("validate: certificate has no subject alternative name")
	// ErrNoServerAuth reports a leaf or intermediate whose extended key
	// usage excludes TLS server authentication (serverAuth), such as a
	// client certificate. Options.AllowLegacy makes it a warning
	// (WarnNoServerAuth).
	ErrNoServerAuth = errors.New("validate: certificate is not valid for TLS servers")
	// ErrWeakSignature reports a leaf or intermediate signed with SHA-1 or
	// MD5, which clients refuse. Options.AllowLegacy makes it a warning
	// (WarnWeakSignature).
	ErrWeakSignature = errors.New("validate: certificate has a weak signature")
	// ErrChainTooLong reports more certificates than
	// Options.MaxChainLength, or a chain naming one subject three times;
	// the chain is then not inspected.
	ErrChainTooLong = error(&condition{"chain_too_long", "validate: certificate chain is too long"})
)

// Options tune Certificate. The zero value checks against the system roots
// at time.Now without a hostname.
type Options struct {
	// Hostname, when set, must be covered by the leaf's SANs (its CN only
	// when it has no SANs); a wildcard SAN covers exactly one label.
	// Callers pass a normalized (lowercase ASCII) hostname, possibly a
	// wildcard such as "*.example.com".
	Hostname string
	// Roots verifies the chain; nil uses the system roots.
	Roots *x509.CertPool
	// RequireTrustedChain makes a chain that does not verify against Roots
	// an error (ErrIncompleteChain) instead of a warning.
	RequireTrustedChain bool
	// AllowWeakKeys downgrades RSA keys of 1024-2047 bits from an error
	// (ErrWeakKey) to a warning. Keys under 1024 bits are always an error.
	AllowWeakKeys bool
	// Now is the time to check validity at; zero means time.Now().
	Now time.Time
	// ExpiringWithin is the warning threshold; zero means 30 days.
	ExpiringWithin time.Duration
	// MaxSANs is the warning threshold for the number of SANs; zero means 100.
	MaxSANs int
	// AllowLegacy accepts, with a warning each, what every current client
	// refuses but closed environments with old clients may still use: a
	// leaf without subject alternative name (ErrNoSAN), a certificate
	// without the serverAuth extended key usage (ErrNoServerAuth) and
	// SHA-1 or MD5 signatures (ErrWeakSignature). Go cannot verify weak
	// signatures: such links are checked by names, key identifiers and CA
	// constraints, and the chain above them is verified as usual.
	AllowLegacy bool
	// MaxChainLength caps the leaf and intermediates inspected
	// (ErrChainTooLong); zero means 10.
	MaxChainLength int
}

// Warning is a problem that does not prevent serving the certificate.
type Warning struct {
	// Code is stable and machine-readable: "expiring_soon", "weak_key",
	// "incomplete_chain", "self_signed", "root_included", "too_many_sans",
	// with AllowLegacy "no_san", "no_server_auth", "weak_signature",
	// "warnings_omitted" when there were too many, and the codes of
	// custom.Note that callers relay ("chain_reordered", ...).
	Code string `json:"code"`
	// Message tells the user what it means and what to do. It is at most
	// 1 KiB: names from the certificate are shortened.
	Message string `json:"message"`
}

// Facts are the parsed, public facts of a certificate.
type Facts struct {
	CommonName         string    `json:"common_name"`
	SANs               []string  `json:"sans"`
	Issuer             string    `json:"issuer"`
	Serial             string    `json:"serial"` // lowercase hex
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	KeyType            string    `json:"key_type"` // "rsa", "ecdsa", "ed25519"
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	FingerprintSHA256  string    `json:"fingerprint_sha256"` // lowercase hex of the DER
	SelfSigned         bool      `json:"self_signed"`
}

// Report is the outcome of Certificate.
type Report struct {
	// Valid is true when Errors is empty.
	Valid bool `json:"valid"`
	// Errors are typed errors (errors.Is against the Err variables).
	Errors []error `json:"-"`
	// Warnings are problems that do not prevent serving; add to them with
	// AddWarning, which drops repeats and caps their number.
	Warnings []Warning `json:"warnings"`
	// Facts describe the leaf.
	Facts Facts `json:"facts"`

	omitted int // warnings dropped by AddWarning past the cap
}

// Err returns nil when the report is valid, else all errors joined.
func (r *Report) Err() error { return errors.Join(r.Errors...) }
