package dnsprovider

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of this package.
var (
	// ErrUnknownProvider is returned by New for a provider name it does not know.
	ErrUnknownProvider = errors.New("dnsprovider: unknown DNS provider")
	// ErrInvalidCredentials matches every *CredentialError.
	ErrInvalidCredentials = errors.New("dnsprovider: invalid credentials")
	// ErrNeedsSubpackage matches every *SubpackageError.
	ErrNeedsSubpackage = errors.New("dnsprovider: provider lives in its own package")
	// ErrProviderPanic is returned when a lego provider panics.
	ErrProviderPanic = errors.New("dnsprovider: the lego provider panicked")
)

// CredentialError is a missing, empty or unknown credential field. It
// names the field, never a value.
type CredentialError struct {
	// Provider is the provider's name ("cloudflare").
	Provider string
	// Field is the credential's field name as given in New's map ("apiToken").
	Field string
	// Problem is "is missing", "is empty", "is not a <provider>
	// credential" or another short description.
	Problem string
	// Expected lists the provider's field names, for the message.
	Expected []string
}

// Error implements the error interface.
func (e *CredentialError) Error() string {
	msg := fmt.Sprintf("dnsprovider: %s credentials: field %q %s", e.Provider, e.Field, e.Problem)
	if len(e.Expected) > 0 {
		msg += "; " + e.Provider + " takes " + strings.Join(e.Expected, ", ")
	}
	return msg
}

// Is makes errors.Is(err, ErrInvalidCredentials) true.
func (e *CredentialError) Is(target error) bool { return target == ErrInvalidCredentials }

// SubpackageError is returned by New for a provider whose SDK is kept out
// of this package; it names the package to use instead.
type SubpackageError struct {
	Provider, Package, SDK string
}

// Error implements the error interface.
func (e *SubpackageError) Error() string {
	return fmt.Sprintf("dnsprovider: provider %q lives in package %s to keep the %s out of builds that do not use it; "+
		"call all.New from github.com/certs-dev/certs/dnsprovider/all, or New from %s", e.Provider, e.Package, e.SDK, e.Package)
}

// Is makes errors.Is(err, ErrNeedsSubpackage) true.
func (e *SubpackageError) Is(target error) bool { return target == ErrNeedsSubpackage }
