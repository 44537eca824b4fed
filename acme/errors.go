package acme

import (
	"context"
	"errors"
	"fmt"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"

	"github.com/certs-dev/certs"
)

// Errors of this package. Errors from the root package (certs.ErrInvalidKeyType,
// certs.ErrWildcardNeedsDNS01, certs.ErrAlreadyRevoked, *certs.RateLimitError,
// ...) are returned for the cases they describe: one value per condition.
var (
	// ErrTOSNotAgreed is returned by New when Config.AgreeTOS is false.
	ErrTOSNotAgreed = errors.New("acme: the CA's terms of service are not agreed to; read them and set Config.AgreeTOS to true")
	// ErrNoStore is returned by an Issuer used on its own (not given to a
	// Manager) without Config.Store.
	ErrNoStore = errors.New("acme: no Store keeps the ACME account; set Config.Store, or give the Issuer to certs.New (certs.Config.Issuer), which hands it the Manager's Store")
	// ErrEABRequired is returned when the CA requires External Account
	// Binding and Config.EAB is nil.
	ErrEABRequired = errors.New("acme: the CA requires External Account Binding; set Config.EAB to the key ID and HMAC key from your account at the CA")
	// ErrNoAccount is returned by Revoke when there is no account for the
	// Issuer's directory and email: only the account that obtained a
	// certificate can revoke it.
	ErrNoAccount = errors.New("acme: no ACME account for this directory and email; revoke with the Config (directory, email, Store) that obtained the certificate")
	// ErrNoHTTP01Solver is returned for http-01 without IssueRequest.HTTP01.
	ErrNoHTTP01Solver = errors.New("acme: http-01 needs IssueRequest.HTTP01, a ChallengeSolver that serves /.well-known/acme-challenge/ on port 80; set it or choose another challenge")
	// ErrNoTLSALPN01Solver is returned for tls-alpn-01 without
	// IssueRequest.TLSALPN01.
	ErrNoTLSALPN01Solver = errors.New("acme: tls-alpn-01 needs IssueRequest.TLSALPN01, a ChallengeSolver that answers acme-tls/1 handshakes on port 443; set it or choose another challenge")
	// ErrInvalidChallenge is returned for an unknown challenge type.
	ErrInvalidChallenge = errors.New("acme: unknown challenge type; use http-01, tls-alpn-01, dns-01, dns-account-01 or dns-persist-01")
	// ErrNoIssuerDomain is returned by PersistIdentity when the CA's
	// directory lists no CAA identity and Config.IssuerDomainName is empty.
	ErrNoIssuerDomain = errors.New("acme: the CA's directory names no CAA identity (meta.caaIdentities), so its issuer domain name for dns-persist-01 records is unknown; set Config.IssuerDomainName to the one the CA documents")
	// ErrInvalidName is returned for a name that cannot be in a certificate.
	ErrInvalidName = errors.New("acme: invalid name")
	// ErrUnknownProfile is returned for a profile the CA does not offer.
	ErrUnknownProfile = errors.New("acme: the CA does not offer this profile")
	// ErrNoRenewalInfo is returned by RenewalInfo when the CA does not
	// support ACME Renewal Information (RFC 9773).
	ErrNoRenewalInfo = errors.New("acme: the CA does not offer renewal information (ARI); schedule renewal from the certificate's validity instead")
)

// ACME problem types (RFC 8555 section 6.7) that map to typed errors.
const (
	problemRateLimited         = "urn:ietf:params:acme:error:rateLimited"
	problemAlreadyRevoked      = "urn:ietf:params:acme:error:alreadyRevoked"
	problemExternalAccountReq  = "urn:ietf:params:acme:error:externalAccountRequired"
	problemAccountDoesNotExist = "urn:ietf:params:acme:error:accountDoesNotExist"
)

// defaultRateLimitWait is assumed when a rate-limit answer has no usable
// Retry-After.
const defaultRateLimitWait = time.Hour

// caError turns an error of a request to the CA into this package's error:
// rate limits become *certs.RateLimitError, known problems their sentinel,
// and everything is prefixed "acme: <op>: ". When ctx is done the result
// also matches ctx.Err().
func caError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if rl := rateLimit(err); rl != nil {
		return fmt.Errorf("acme: %s: %w", op, rl)
	}
	var pd *legoacme.ProblemDetails
	if errors.As(err, &pd) {
		switch pd.Type {
		case problemAlreadyRevoked:
			return fmt.Errorf("acme: %s: %w (%s)", op, certs.ErrAlreadyRevoked, pd.Detail)
		case problemExternalAccountReq:
			return fmt.Errorf("acme: %s: %w (%s)", op, ErrEABRequired, pd.Detail)
		}
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("acme: %s: %w (%v)", op, cerr, err)
	}
	return fmt.Errorf("acme: %s: %w", op, err)
}

// rateLimit extracts a rate-limit answer from err, or returns nil.
func rateLimit(err error) *certs.RateLimitError {
	var rle *legoacme.RateLimitedError
	if errors.As(err, &rle) {
		return newRateLimitError(rle.Detail, rle.RetryAfter)
	}
	var pd *legoacme.ProblemDetails
	if errors.As(err, &pd) && pd.Type == problemRateLimited {
		return newRateLimitError(pd.Detail, "")
	}
	return nil
}

func newRateLimitError(detail, retryAfter string) *certs.RateLimitError {
	wait, err := api.ParseRetryAfter(retryAfter)
	if retryAfter == "" || err != nil {
		wait = defaultRateLimitWait
	}
	return &certs.RateLimitError{RetryAfter: time.Now().Add(wait), Detail: detail}
}

// isProblem reports whether err carries an ACME problem of type typ (of any
// type when typ is empty).
func isProblem(err error, typ string) bool {
	var pd *legoacme.ProblemDetails
	return errors.As(err, &pd) && (typ == "" || pd.Type == typ)
}
