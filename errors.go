package certs

import (
	"errors"
	"fmt"

	"github.com/certs-dev/certs/custom"
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

	ErrKeyMismatch      = validate.ErrKeyMismatch
	ErrExpired          = validate.ErrExpired
	ErrNotYetValid      = validate.ErrNotYetValid
	ErrHostnameMismatch = validate.ErrHostnameMismatch
	ErrIncompleteChain  = validate.ErrIncompleteChain
	ErrWeakKey          = validate.ErrWeakKey
	ErrNotLeaf          = validate.ErrNotLeaf
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
	ErrInvalidChallenge = errors.New("certs: invalid challenge type; use http-01, tls-alpn-01 or dns-01")
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
