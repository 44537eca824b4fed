package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// MinTokenLength is the shortest token BearerTokens accepts.
const MinTokenLength = 16

// Token is one API token for BearerTokens. Its String, Format and
// LogValue never show Secret.
type Token struct {
	// Secret is what the caller sends as "Authorization: Bearer <Secret>"
	// (at least MinTokenLength characters; use 32 random bytes in hex or
	// base64).
	Secret string
	// Subject names the token in logs; Tenant and Scopes are those of the
	// Principal it authenticates.
	Subject string
	Tenant  string
	Scopes  []Scope
}

// String describes the token without its secret.
func (t Token) String() string {
	return fmt.Sprintf("api.Token{Subject: %q, Tenant: %q, Scopes: %v, Secret: redacted}", t.Subject, t.Tenant, t.Scopes)
}

// Format makes every fmt verb print String.
func (t Token) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// LogValue makes slog print String.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// BearerTokens returns an Authorize function for Config that accepts the
// given tokens in an "Authorization: Bearer" header. Tokens are compared
// in constant time (their SHA-256 digests, every token each time, so the
// time taken tells nothing of which token nearly matched) and are never
// logged. It refuses an empty, short or repeated token, or one without a
// tenant.
func BearerTokens(tokens ...Token) (func(*http.Request) (Principal, error), error) {
	type entry struct {
		digest [sha256.Size]byte
		p      Principal
	}
	entries := make([]entry, 0, len(tokens))
	for i, t := range tokens {
		switch {
		case len(t.Secret) < MinTokenLength:
			return nil, fmt.Errorf("api: token %d (%s) is shorter than %d characters", i, t.Subject, MinTokenLength)
		case t.Tenant == "":
			return nil, fmt.Errorf("api: token %d (%s) has no tenant", i, t.Subject)
		}
		d := sha256.Sum256([]byte(t.Secret))
		for _, e := range entries {
			if e.digest == d {
				return nil, fmt.Errorf("api: token %d (%s) is given twice", i, t.Subject)
			}
		}
		entries = append(entries, entry{d, Principal{Subject: t.Subject, Tenant: t.Tenant, Scopes: append([]Scope(nil), t.Scopes...)}})
	}
	return func(r *http.Request) (Principal, error) {
		secret, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			return Principal{}, ErrUnauthenticated
		}
		d := sha256.Sum256([]byte(secret))
		found := -1
		for i, e := range entries {
			if subtle.ConstantTimeCompare(d[:], e.digest[:]) == 1 {
				found = i
			}
		}
		if found < 0 {
			return Principal{}, ErrUnauthenticated
		}
		p := entries[found].p
		p.Scopes = append([]Scope(nil), p.Scopes...)
		return p, nil
	}, nil
}

// bearer extracts the token of an "Authorization: Bearer <token>" header
// (the scheme is case-insensitive, RFC 9110 section 11.1).
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// errNoTenant refuses a principal without a tenant.
var errNoTenant = fmt.Errorf("%w: the credentials name no tenant", ErrForbidden)

// checkPrincipal refuses principals the handler cannot serve.
func checkPrincipal(p Principal) error {
	if p.Tenant == "" {
		return errNoTenant
	}
	return nil
}
