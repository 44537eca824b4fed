package dnsprovider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/certs-dev/certs"
)

// minSecretLen is the shortest secret that is blanked out; shorter ones
// would garble messages and guard nothing.
const minSecretLen = 4

// redacted replaces every credential in a message.
const redacted = "[redacted]"

// Redacting wraps p so that none of secrets appears in the errors of its
// Present and CleanUp, nor in its String: an error whose message (or the
// message of any error it wraps) holds a secret, its URL-encoded, base64
// or JSON-escaped form, is replaced by one whose message has them
// replaced by "[redacted]" and which does not wrap the original (that
// still holds them); errors.Is still finds context.Canceled,
// context.DeadlineExceeded and ErrProviderPanic. Other errors are returned
// as they are. A TimeoutProvider stays one. Secrets shorter than 4 bytes
// are ignored.
//
// New, FromLego (given the credentials) and the named constructors
// return providers wrapped this way, so that a DNS API that echoes a token
// into its error does not leak it into the Manager's errors, events,
// stored renewal errors or logs.
func Redacting(p certs.DNSProvider, secrets ...string) certs.DNSProvider {
	r := &redactingProvider{p: p, forms: secretForms(secrets)}
	if len(r.forms) == 0 {
		return p
	}
	if t, ok := p.(TimeoutProvider); ok {
		return &redactingTimeoutProvider{redactingProvider: r, t: t}
	}
	return r
}

var (
	_ certs.DNSProvider = (*redactingProvider)(nil)
	_ TimeoutProvider   = (*redactingTimeoutProvider)(nil)
)

// redactingProvider is Redacting's provider.
type redactingProvider struct {
	p     certs.DNSProvider
	forms []string
}

// redactingTimeoutProvider keeps the wrapped provider's Timeout.
type redactingTimeoutProvider struct {
	*redactingProvider
	t TimeoutProvider
}

// Timeout returns the wrapped provider's propagation timeout and interval.
func (r *redactingTimeoutProvider) Timeout() (timeout, interval time.Duration) { return r.t.Timeout() }

// Present presents rec through the wrapped provider.
func (r *redactingProvider) Present(ctx context.Context, rec certs.DNSRecord) error {
	return redactForms(r.p.Present(ctx, rec), r.forms)
}

// CleanUp removes rec through the wrapped provider.
func (r *redactingProvider) CleanUp(ctx context.Context, rec certs.DNSRecord) error {
	return redactForms(r.p.CleanUp(ctx, rec), r.forms)
}

// String describes the wrapped provider, without the secrets.
func (r *redactingProvider) String() string {
	if s, ok := r.p.(fmt.Stringer); ok {
		return replaceForms(s.String(), r.forms)
	}
	return fmt.Sprintf("%T", r.p)
}

// Format prints String for every verb.
func (r *redactingProvider) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(r.String())) }

// RedactError returns err with secrets blanked out as Redacting does: err
// itself when no secret appears in it or in any error it wraps, else an
// error with the secrets (and their encoded forms) replaced by
// "[redacted]" that does not wrap err.
func RedactError(err error, secrets ...string) error {
	return redactForms(err, secretForms(secrets))
}

// redactForms is RedactError for precomputed secret forms.
func redactForms(err error, forms []string) error {
	if err == nil || len(forms) == 0 || !leaks(err, forms) {
		return err
	}
	out := &redactedError{msg: replaceForms(err.Error(), forms)}
	for _, target := range []error{context.Canceled, context.DeadlineExceeded, ErrProviderPanic} {
		if errors.Is(err, target) {
			out.causes = append(out.causes, target)
		}
	}
	return out
}

// redactedError is an error whose message had credentials blanked out.
type redactedError struct {
	msg    string
	causes []error // sentinels the original matched
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.causes }

// leaks reports whether err or any error it wraps mentions a form.
func leaks(err error, forms []string) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, f := range forms {
		if strings.Contains(msg, f) {
			return true
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return leaks(u.Unwrap(), forms)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if leaks(e, forms) {
				return true
			}
		}
	}
	return false
}

// replaceForms blanks every form out of s, longest first.
func replaceForms(s string, forms []string) string {
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, redacted)
	}
	return s
}

// secretForms are the secrets as they may appear in a message: as given,
// URL-encoded (query and path), JSON-escaped, and base64 (standard and
// URL alphabets, alone or at any offset inside a longer encoded text,
// such as a Basic authorization header), longest first.
func secretForms(secrets []string) []string {
	seen := map[string]bool{}
	var forms []string
	add := func(f string) {
		if len(f) >= minSecretLen && !seen[f] {
			seen[f] = true
			forms = append(forms, f)
		}
	}
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		if j, err := json.Marshal(s); err == nil {
			add(string(j[1 : len(j)-1]))
		}
		for _, f := range base64Forms(s) {
			add(f)
		}
	}
	// Longest first, so that a form is replaced before a form inside it.
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return forms
}

// base64Forms are the base64 texts that s produces wherever it sits in
// an encoded text: for each of the three byte offsets, the characters
// that depend on s's bytes alone, in the standard and URL alphabets.
func base64Forms(s string) []string {
	var out []string
	for pad := range 3 {
		enc := base64.RawStdEncoding.EncodeToString(append(make([]byte, pad), s...))
		start := (pad*8 + 5) / 6      // first character made of s's bits only
		end := (pad + len(s)) * 8 / 6 // characters complete before the end of s
		if end-start >= 4 {
			part := enc[start:end]
			out = append(out, part, strings.NewReplacer("+", "-", "/", "_").Replace(part))
		}
	}
	full := base64.StdEncoding.EncodeToString([]byte(s))
	return append(out, full, base64.URLEncoding.EncodeToString([]byte(s)))
}
