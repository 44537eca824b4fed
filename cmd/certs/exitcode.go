package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/dnsprovider"
	"github.com/certs-dev/certs/store"
)

// The exit codes of every command (documented in the package doc and in
// `certs help`).
const (
	exitOK           = 0   // success
	exitFailure      = 1   // any other failure
	exitUsage        = 2   // bad command line, or a setting the operation needs is missing
	exitNotFound     = 3   // no such hostname, or no certificate of the asked source
	exitInvalid      = 4   // validation failed: an upload, an ACME challenge, or DNS (check)
	exitRateLimited  = 5   // the CA rate-limited the order
	exitConflict     = 6   // the name is held elsewhere, in use, or already revoked
	exitUnauthorized = 7   // the server refused the API token
	exitInterrupted  = 130 // SIGINT or SIGTERM before the command finished
)

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errInvalid is returned (wrapped) by commands that completed but found
// something invalid: validate on a bad upload, check on wrong DNS.
var errInvalid = errors.New("validation failed")

// exitClasses maps typed errors to exit codes, first match wins. Remote
// errors are *api.Problem values, which errors.Is matches against the same
// sentinels.
var exitClasses = []struct {
	err  error
	code int
}{
	{context.Canceled, exitInterrupted},
	{api.ErrUnauthenticated, exitUnauthorized},
	{api.ErrForbidden, exitUnauthorized},
	{certs.ErrInvalidHostname, exitUsage},
	{certs.ErrInvalidKeyType, exitUsage},
	{certs.ErrInvalidChallenge, exitUsage},
	{certs.ErrInvalidReason, exitUsage},
	{certs.ErrInvalidSource, exitUsage},
	{certs.ErrInvalidConfig, exitUsage},
	{certs.ErrInvalidDNSProviderOptions, exitUsage},
	{certs.ErrWildcardNeedsDNS01, exitUsage},
	{certs.ErrNoIssuer, exitUsage},
	{certs.ErrNoDNSProvider, exitUsage},
	{certs.ErrNoDNSProviderFactory, exitUsage},
	{certs.ErrNoResolvers, exitUsage},
	{dnsprovider.ErrUnknownProvider, exitUsage},
	{dnsprovider.ErrInvalidCredentials, exitUsage},
	{store.ErrInvalidKey, exitUsage},
	{store.ErrInvalidCursor, exitUsage},
	{certs.ErrNotFound, exitNotFound},
	{certs.ErrNoCertificateForSource, exitNotFound},
	{certs.ErrRateLimited, exitRateLimited},
	{certs.ErrNameConflict, exitConflict},
	{certs.ErrInUse, exitConflict},
	{certs.ErrAlreadyRevoked, exitConflict},
	{errInvalid, exitInvalid},
	{certs.ErrValidationFailed, exitInvalid},
	{certs.ErrCAAForbidden, exitInvalid},
	{certs.ErrNotPointingHere, exitInvalid},
	{certs.ErrPersistRecordMissing, exitInvalid},
}

// uploadErrors are the typed errors of an upload that does not validate:
// exit code 4.
var uploadErrors = []error{
	certs.ErrInvalidPEM, certs.ErrUnsupportedFormat, certs.ErrEncryptedKey, certs.ErrBadPassword,
	certs.ErrNoCertificate, certs.ErrNoPrivateKey, certs.ErrUnrelatedCertificate, certs.ErrUnsupportedKeyType,
	certs.ErrInputTooLarge, certs.ErrTooManyCertificates, certs.ErrTooManyKeys, certs.ErrPKCS12TooExpensive,
	certs.ErrKeyMismatch, certs.ErrExpired, certs.ErrNotYetValid, certs.ErrHostnameMismatch,
	certs.ErrIncompleteChain, certs.ErrWeakKey, certs.ErrNotLeaf, certs.ErrNoSAN, certs.ErrNoServerAuth,
	certs.ErrWeakSignature, certs.ErrChainTooLong,
}

// exitCode is the exit code for err (nil is success).
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	for _, c := range exitClasses {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	var p *api.Problem
	switch {
	case errors.As(err, &p) && p.Code == "hostname_taken":
		return exitConflict
	case errors.As(err, &p) && p.Status == 422:
		return exitInvalid
	case errors.As(err, &p) && p.Status == 400:
		return exitUsage
	}
	for _, u := range uploadErrors {
		if errors.Is(err, u) {
			return exitInvalid
		}
	}
	return exitFailure
}
