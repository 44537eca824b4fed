package api

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"

	"github.com/certs-dev/certs/webhook"
)

// Config configures the handler. The zero value refuses every request but
// the OpenAPI document: set Authorize (for example with BearerTokens).
type Config struct {
	// Authorize decides who the caller of a request is: its tenant and
	// its scopes. It must not read the request body. Return an error
	// wrapping ErrUnauthenticated for missing or unknown credentials
	// (401) and ErrForbidden for credentials that may not use the API
	// (403); any other error is logged and answered 401 too. Nil refuses
	// every request with 401.
	Authorize func(r *http.Request) (Principal, error)
	// Logger receives one line per request (method, route, status, tenant,
	// duration; never a header or a body) and the cause of every 5xx
	// answer. Nil means slog.Default().
	Logger *slog.Logger
	// MaxBodyBytes caps a request body; a larger one is refused with 413.
	// Zero means 2 MiB, room for a PKCS#12 bundle in base64.
	MaxBodyBytes int64
	// Webhooks, when set, serves the webhook subscriptions of each
	// tenant on it: /webhooks and its deliveries. It should run on the
	// same Manager (webhook.Config.Manager) and be Run by the caller.
	// Nil answers those endpoints 404 webhooks_disabled.
	Webhooks *webhook.Dispatcher
}

// DefaultMaxBodyBytes is the body limit when Config.MaxBodyBytes is zero.
const DefaultMaxBodyBytes = 2 << 20

// Scope is a permission a Principal holds. Each endpoint needs exactly one.
type Scope string

// The scopes.
const (
	// ScopeRead lists and reads hostnames, their certificates (public
	// parts), status, DNS requirements and explanations.
	ScopeRead Scope = "read"
	// ScopeWrite adds, changes, checks, renews, revokes and deletes
	// hostnames and certificates, and validates uploads.
	ScopeWrite Scope = "write"
	// ScopeKeys reads private keys. Give it only to the deploy tooling
	// that installs certificates elsewhere.
	ScopeKeys Scope = "keys"
)

// Principal is the caller of a request, as Config.Authorize decides.
type Principal struct {
	// Subject names the caller in logs (an API key's name, a user id).
	// It must not be a secret.
	Subject string
	// Tenant is the app, project or account whose hostnames the caller
	// manages. It must not be empty: a principal without a tenant is
	// refused (403).
	Tenant string
	// Scopes are what the caller may do.
	Scopes []Scope
}

// Has reports whether p holds scope s.
func (p Principal) Has(s Scope) bool { return slices.Contains(p.Scopes, s) }

// Errors an Authorize function returns.
var (
	// ErrUnauthenticated: the request carries no credentials, or unknown
	// ones (401).
	ErrUnauthenticated = errors.New("api: missing or unknown credentials; send an API token as \"Authorization: Bearer <token>\"")
	// ErrForbidden: the credentials are known but may not use the API
	// (403).
	ErrForbidden = errors.New("api: these credentials may not use the certificate API")
)
