package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/custom"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
)

// errorCodes maps the root's typed errors to codes, most specific first.
// The detail of these problems is the error's own message, which says what
// to fix.
var errorCodes = []struct {
	err  error
	code string
}{
	{certs.ErrInvalidHostname, codeInvalidHostname},
	{certs.ErrInvalidDNSProviderOptions, codeInvalidDNSOptions},
	{certs.ErrInvalidKeyType, codeInvalidKeyType},
	{certs.ErrInvalidChallenge, codeInvalidChallenge},
	{certs.ErrInvalidReason, codeInvalidReason},
	{store.ErrInvalidCursor, codeInvalidCursor},
	{certs.ErrInUse, codeInUse},
	{certs.ErrAlreadyRevoked, codeAlreadyRevoked},
	{certs.ErrWildcardNeedsDNS01, codeWildcardNeedsDNS01},
	{certs.ErrCAAForbidden, codeCAAForbidden},
	{certs.ErrNotPointingHere, codeNotPointingHere},
	{certs.ErrNoCertificateForSource, codeNoCertificate},
	{certs.ErrUnknownHost, codeNotServed},
}

// fixedDetails are codes whose detail is fixed: the root's message speaks
// to the operator (or names what a tenant must not see), not to the
// platform's end user.
var fixedDetails = []struct {
	err    error
	code   string
	detail string
}{
	{certs.ErrDamaged, codeRecordDamaged, "the stored record of this hostname cannot be read; delete the hostname and add it again, or ask the platform's support to restore it"},
	{certs.ErrNoIssuer, codeACMEUnavailable, "this service does not obtain ACME certificates; upload a custom certificate instead"},
	{certs.ErrNoDNSProviderFactory, codeDNSProviderByName, "this service does not take DNS providers by name; leave dns_provider and dns_credentials out"},
	{certs.ErrNoDNSProvider, codeNoDNSProvider, "dns-01 needs a DNS provider: give dns_provider and dns_credentials, or use http-01 or tls-alpn-01 (wildcards need dns-01)"},
	{certs.ErrNoResolvers, codeDNSUnavailable, "DNS lookups are not available on this service right now; try again later"},
	{context.DeadlineExceeded, codeTimeout, "the operation took too long; try again (an ACME order goes on in the background)"},
	{context.Canceled, codeServiceUnavailable, "the request was canceled"},
}

// uploadCodes map the errors of an upload to codes.
var uploadCodes = []struct {
	err  error
	code string
}{
	{certs.ErrHostnameMismatch, codeHostnameMismatch},
	{certs.ErrKeyMismatch, codeKeyMismatch},
	{custom.ErrKeyMismatch, codeKeyMismatch},
	{certs.ErrExpired, codeExpired},
	{certs.ErrNotYetValid, codeNotYetValid},
	{certs.ErrIncompleteChain, codeIncompleteChain},
	{certs.ErrWeakKey, codeWeakKey},
	{certs.ErrNotLeaf, codeNotLeaf},
	{validate.ErrNoSAN, codeNoSAN},
	{validate.ErrNoServerAuth, codeNoServerAuth},
	{validate.ErrWeakSignature, codeWeakSignature},
	{validate.ErrChainTooLong, codeChainTooLong},
	{custom.ErrChainTooLong, codeChainTooLong},
	{certs.ErrInvalidPEM, codeInvalidPEM},
	{certs.ErrUnsupportedFormat, codeUnsupportedFormat},
	{certs.ErrEncryptedKey, codeEncryptedKey},
	{certs.ErrBadPassword, codeBadPassword},
	{certs.ErrNoCertificate, codeNoCertInUpload},
	{validate.ErrNoCertificate, codeNoCertInUpload},
	{certs.ErrNoPrivateKey, codeNoPrivateKey},
	{certs.ErrUnrelatedCertificate, codeUnrelatedCert},
	{certs.ErrUnsupportedKeyType, codeUnsupportedKeyType},
	{custom.ErrInputTooLarge, codeUploadTooLarge},
	{custom.ErrTooManyCertificates, codeTooManyCerts},
	{custom.ErrTooManyKeys, codeTooManyKeys},
}

// problemFor maps err to the Problem to answer, or nil for an error no
// table knows (an internal error, which the caller logs).
func (h *handler) problemFor(ctx context.Context, p Principal, err error) *Problem {
	var (
		prob *Problem
		rl   *certs.RateLimitError
		verr *certs.ValidationError
		nc   *certs.NameConflictError
	)
	switch {
	case errors.As(err, &prob):
		return prob
	case errors.As(err, &rl):
		out := problem(codeRateLimited, userMessage(err))
		at := rl.RetryAfter.UTC()
		out.RetryAfter = &at
		return out
	case errors.As(err, &verr):
		return validationProblem(verr)
	case errors.As(err, &nc):
		return h.nameConflict(ctx, p, nc)
	case errors.Is(err, certs.ErrNotFound):
		return problem(codeNotFound, "the hostname does not exist (any more)")
	}
	for _, f := range fixedDetails {
		if errors.Is(err, f.err) {
			return problem(f.code, f.detail)
		}
	}
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			return problem(c.code, userMessage(err))
		}
	}
	if code := uploadCode(err); code != "" {
		return problem(code, userMessage(err))
	}
	if dnsProviderError(err) {
		return problem(codeDNSProviderInvalid, userMessage(err))
	}
	return nil
}

// uploadCode is the code of an upload error, or "".
func uploadCode(err error) string {
	for _, c := range uploadCodes {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// validationProblem is the answer to a failed ACME order.
func validationProblem(verr *certs.ValidationError) *Problem {
	code := codeValidationFailed
	if verr.TimedOut {
		code = codeValidationTimeout
	}
	out := problem(code, userMessage(verr))
	for _, cp := range verr.Problems {
		out.ValidationErrors = append(out.ValidationErrors, challengeError(cp))
	}
	return out
}

// nameConflict names the hostname holding the contested name only when
// it is the caller's own.
func (h *handler) nameConflict(ctx context.Context, p Principal, nc *certs.NameConflictError) *Problem {
	detail := fmt.Sprintf("%s is already served by another hostname; it cannot be added here", nc.Name)
	if holder, err := h.m.Get(ctx, nc.HeldBy); err == nil && tenantOf(holder) == p.Tenant {
		detail = userMessage(nc)
	}
	out := problem(codeNameConflict, detail)
	return out
}

// dnsProviderError reports an error of Config.NewDNSProvider building the
// provider a request names (an unknown provider, missing credentials).
// The root wraps no sentinel around it yet, so it is recognised by the
// root's message.
func dnsProviderError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "certs: DNS provider ") ||
		strings.HasPrefix(msg, "certs: Config.NewDNSProvider returned no provider")
}

// userMessage is err's message without the package prefixes that mean
// nothing to an end user.
func userMessage(err error) string {
	msg := err.Error()
	for _, prefix := range []string{"certs: ", "validate: ", "custom: ", "store: ", "api: ", "webhook: "} {
		msg = strings.ReplaceAll(msg, prefix, "")
	}
	return msg
}
