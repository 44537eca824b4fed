package certs

import (
	"errors"
	"fmt"
	"time"

	"github.com/certs-dev/certs/custom"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
)

// Errors about imported certificates. They are the leaf packages' sentinels,
// re-exported so that callers need to import only this package; errors.Is
// matches either name.
var (
	ErrInvalidPEM           = custom.ErrInvalidPEM
	ErrUnsupportedFormat    = custom.ErrUnsupportedFormat
	ErrEncryptedKey         = custom.ErrEncryptedKey
	ErrBadPassword          = custom.ErrBadPassword
	ErrNoCertificate        = custom.ErrNoCertificate
	ErrNoPrivateKey         = custom.ErrNoPrivateKey
	ErrUnrelatedCertificate = custom.ErrUnrelatedCertificate
	ErrUnsupportedKeyType   = custom.ErrUnsupportedKeyType
	ErrInputTooLarge        = custom.ErrInputTooLarge
	ErrTooManyCertificates  = custom.ErrTooManyCertificates
	ErrTooManyKeys          = custom.ErrTooManyKeys
	ErrPKCS12TooExpensive   = custom.ErrPKCS12TooExpensive

	ErrKeyMismatch      = validate.ErrKeyMismatch
	ErrExpired          = validate.ErrExpired
	ErrNotYetValid      = validate.ErrNotYetValid
	ErrHostnameMismatch = validate.ErrHostnameMismatch
	ErrIncompleteChain  = validate.ErrIncompleteChain
	ErrWeakKey          = validate.ErrWeakKey
	ErrNotLeaf          = validate.ErrNotLeaf
	ErrNoSAN            = validate.ErrNoSAN
	ErrNoServerAuth     = validate.ErrNoServerAuth
	ErrWeakSignature    = validate.ErrWeakSignature
	// ErrChainTooLong, ErrKeyMismatch and ErrNoCertificate match the
	// condition whichever leaf package reported it.
	ErrChainTooLong = validate.ErrChainTooLong
)

// Errors of the Manager's operations.
var (
	// ErrInUse is returned when Config.InUse refuses a removal.
	ErrInUse = errors.New("certs: the certificate is in use; detach it from the applications using it, then remove it")
	// ErrNoCertificateForSource is returned when a hostname holds no
	// certificate of the requested source.
	ErrNoCertificateForSource = errors.New("certs: the hostname holds no certificate of that source")
	// ErrInvalidSource is returned for a Source other than custom or acme.
	ErrInvalidSource = errors.New("certs: invalid source; use SourceCustom or SourceACME")
	// ErrInvalidPEMKind is returned by PEM for an unknown PEMKind.
	ErrInvalidPEMKind = errors.New("certs: invalid PEM kind; use PEMFullChain, PEMChain or PEMLeaf")
	// ErrInvalidChallenge is returned for an unknown challenge type.
	ErrInvalidChallenge = errors.New("certs: invalid challenge type; use http-01, tls-alpn-01, dns-01, dns-account-01 or dns-persist-01")
	// ErrNoResolvers is returned by Check when no DNS resolver is known.
	ErrNoResolvers = errors.New("certs: no DNS resolvers; set Config.DNS.Resolvers")
	// ErrAlreadyRunning is returned by Start on a Manager already started.
	ErrAlreadyRunning = errors.New("certs: the scheduler is already running; call Stop first")
	// ErrNameConflict matches every *NameConflictError.
	ErrNameConflict = errors.New("certs: the name is already held by another hostname")
	// ErrValidationTimeout is matched by a *ValidationError whose
	// challenges the CA did not finish validating in time.
	ErrValidationTimeout = errors.New("certs: the CA did not finish validating the challenges in time")
	// ErrNoDNSProviderFactory is returned when a DNS provider is given by
	// name (ObtainOptions.DNSProviderName) but Config.NewDNSProvider is nil.
	ErrNoDNSProviderFactory = errors.New("certs: a DNS provider was named but Config.NewDNSProvider is not set; set it to dnsprovider.New (or dnsprovider/all.New)")
)

// NameConflictError reports a further name (an ACME alternative name or a
// name attached to a custom certificate) that another hostname already
// holds, as its own record or as one of its further names. An upload or an
// order under one hostname never captures a name another record holds.
type NameConflictError struct {
	// Name is the contested name; HeldBy the hostname holding it.
	Name, HeldBy string
}

// Error implements the error interface.
func (e *NameConflictError) Error() string {
	if e.Name == e.HeldBy {
		return fmt.Sprintf("certs: %s has a record of its own; manage its certificate under its own hostname, or remove that record first", e.Name)
	}
	return fmt.Sprintf("certs: %s is already served by hostname %s; remove it from %s first", e.Name, e.HeldBy, e.HeldBy)
}

// Is makes errors.Is(err, ErrNameConflict) true.
func (e *NameConflictError) Is(target error) bool { return target == ErrNameConflict }

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
	ErrWildcardNeedsDNS01 = errors.New("certs: wildcard certificates require a DNS challenge; set ObtainOptions.Challenge to dns-01 or dns-account-01 (with a DNSProvider) or dns-persist-01 (with the customer's permanent record)")
	// ErrNoDNSProvider is returned for DNS-01 without a provider.
	ErrNoDNSProvider = errors.New("certs: dns-01 and dns-account-01 require a DNS provider; set Config.DNSProvider, or give one per order (ObtainOptions.DNSProvider, or by name with DNSProviderName); dns-persist-01 needs none")
	// ErrInvalidKeyType is returned for a KeyType outside the supported set.
	ErrInvalidKeyType = errors.New("certs: invalid key type; use ec256, ec384, rsa2048 or rsa4096")
	// ErrInvalidReason is returned for a revocation reason ACME does not accept.
	ErrInvalidReason = errors.New("certs: invalid revocation reason; use an RFC 5280 code: 0, 1, 3, 4 or 5")
)

// ErrAlreadyRevoked is returned by Revoke for a certificate that is already
// revoked.
var ErrAlreadyRevoked = errors.New("certs: the certificate is already revoked; obtain a new one with Obtain")

// ErrRecordVersion is returned for a record written by a newer version of
// this package.
var ErrRecordVersion = errors.New("certs: the record was written by a newer version of this library; upgrade every process sharing the Store")

// ErrNoServerName is returned by GetCertificate for a ClientHello without
// SNI when no Config.DefaultCertificate is set.
var ErrNoServerName = errors.New("certs: the client sent no server name (SNI) and no default certificate is configured; set Config.DefaultCertificate to serve such clients")

// ErrUnknownHost is returned by GetCertificate for a server name the
// Manager holds no certificate for.
var ErrUnknownHost = errors.New("certs: no certificate for this server name")

// ErrInvalidHostname is returned for a hostname that cannot be managed. The
// wrapping error says why.
var ErrInvalidHostname = errors.New("certs: invalid hostname")

// ErrInvalidConfig is returned by New for a Config it cannot use.
var ErrInvalidConfig = errors.New("certs: invalid config")

// ErrNotFound is returned when a hostname or stored item does not exist.
var ErrNotFound = store.ErrNotFound

// ErrConflict is returned by a write refused because another process
// changed the hostname since it was read (the Store keeps versions, and
// this process lost its lock without noticing): try again.
var ErrConflict = store.ErrConflict

// ErrDamaged matches a stored record that exists but cannot be read (see
// store.ErrDamaged and DamagedRecordsError).
var ErrDamaged = store.ErrDamaged

// Errors of on-demand TLS (Config.OnDemand). A handshake that gets one
// fails; the client may retry.
var (
	// ErrOnDemandDenied is returned when the on-demand policy refuses a
	// name (the policy's own error is wrapped too).
	ErrOnDemandDenied = errors.New("certs: on-demand issuance is not allowed for this name")
	// ErrOnDemandBusy is returned when the on-demand limits
	// (MaxConcurrent, MaxPerMinute) are reached.
	ErrOnDemandBusy = errors.New("certs: too many on-demand orders right now; retry shortly")
	// ErrOnDemandPending is returned when a handshake stopped waiting for
	// its order (OnDemandConfig.Wait); the order goes on.
	ErrOnDemandPending = errors.New("certs: the certificate for this name is being obtained")
)

// ErrNoPersistIdentity is returned by PersistRecord when neither the
// Issuer nor Config.DNS names the CA and ACME account of dns-persist-01
// records.
var ErrNoPersistIdentity = errors.New("certs: the Issuer cannot name its CA and ACME account for dns-persist-01 records; use the acme package's Issuer, or set Config.DNS.PersistIssuerDomain and PersistAccountURI")
