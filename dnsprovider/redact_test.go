package dnsprovider_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/dnsprovider"
)

const secret = "s3cr3t-T0KEN-value"

// requireNoSecret formats v every way a program might and checks that
// secret appears nowhere.
func requireNoSecret(t *testing.T, v any) {
	t.Helper()
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "v", v)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "v", v)
	data, _ := json.Marshal(v)
	outs := []string{
		fmt.Sprintf("%v|%+v|%#v|%s|%q|%x|%X|%d|%T", v, v, v, v, v, v, v, v, v),
		fmt.Sprint(v), fmt.Sprintln(v), string(data), logs.String(),
	}
	for _, out := range outs {
		require.NotContains(t, out, secret)
		require.NotContains(t, out, fmt.Sprintf("%x", secret))
	}
}

func TestCredentialsNeverPrinted(t *testing.T) {
	cf := dnsprovider.CloudflareCredentials{APIToken: secret}
	do := dnsprovider.DigitalOceanCredentials{APIToken: secret}
	gd := dnsprovider.GoDaddyCredentials{APIKey: secret, APISecret: secret}
	for _, v := range []any{cf, &cf, do, &do, gd, &gd, []any{cf, do}, map[string]any{"gd": gd}} {
		requireNoSecret(t, v)
	}
	require.Equal(t, "dnsprovider.CloudflareCredentials{APIToken: <redacted>}", cf.String())
	require.Equal(t, "dnsprovider.GoDaddyCredentials{APIKey: <redacted>, APISecret: <empty>}",
		dnsprovider.GoDaddyCredentials{APIKey: secret}.String())

	for _, name := range []string{"cloudflare", "digitalocean"} {
		p, err := dnsprovider.New(name, map[string]string{"apiToken": secret})
		require.NoError(t, err)
		requireNoSecret(t, p)
	}
}

func TestErrorsNeverCarryCredentials(t *testing.T) {
	bad := []struct {
		name  string
		creds map[string]string
	}{
		{"godaddy", map[string]string{"apiKey": secret}},
		{"godaddy", map[string]string{"apiKey": secret, "apiSecret": secret, "extra": secret}},
		{"cloudflare", map[string]string{"apiToken": secret, "apiKey": secret}},
		{"nope", map[string]string{"apiToken": secret}},
	}
	for _, tc := range bad {
		_, err := dnsprovider.New(tc.name, tc.creds)
		require.Error(t, err)
		requireNoSecret(t, err)
	}
}

// echoed is a credential with characters that URL, JSON and base64
// encodings change.
const echoed = "tok/3n+s3<cr3t=value"

// echoedForms are the forms of echoed that a DNS API or a client library
// may quote.
func echoedForms() map[string]string {
	return map[string]string{
		"raw":               echoed,
		"query-escaped":     url.QueryEscape(echoed),
		"path-escaped":      url.PathEscape(echoed),
		"JSON-escaped":      `tok/3n+s3\u003ccr3t=value`,
		"base64":            base64.StdEncoding.EncodeToString([]byte(echoed)),
		"base64url":         base64.RawURLEncoding.EncodeToString([]byte(echoed)),
		"basic auth, off 0": base64.StdEncoding.EncodeToString([]byte("abc:" + echoed)),
		"basic auth, off 1": base64.StdEncoding.EncodeToString([]byte("ab:" + echoed)),
		"basic auth, off 2": base64.StdEncoding.EncodeToString([]byte("a:" + echoed)),
	}
}

// leakyErr says only "failed" but wraps an error that holds the secret.
type leakyErr struct{ inner error }

func (e leakyErr) Error() string { return "failed" }
func (e leakyErr) Unwrap() error { return e.inner }

func TestRedactError(t *testing.T) {
	for name, form := range echoedForms() {
		t.Run(name, func(t *testing.T) {
			cause := fmt.Errorf("api says: %s: %w", form, context.Canceled)
			err := dnsprovider.RedactError(fmt.Errorf("dnsprovider: present: %w", cause), echoed)
			require.Contains(t, err.Error(), "[redacted]")
			require.NotErrorIs(t, err, cause, "the original, which holds the secret, is not wrapped")
			require.ErrorIs(t, err, context.Canceled, "sentinels are kept")
			requireNoForm(t, err)
		})
	}
	t.Run("a wrapped error that hides it in its message", func(t *testing.T) {
		err := dnsprovider.RedactError(leakyErr{errors.New("token " + echoed)}, echoed)
		require.EqualError(t, err, "failed")
		require.Nil(t, errors.Unwrap(err))
	})
	t.Run("an error without it is returned as it is", func(t *testing.T) {
		orig := fmt.Errorf("x: %w", dnsprovider.ErrProviderPanic)
		require.Same(t, orig, dnsprovider.RedactError(orig, echoed))
	})
	t.Run("short secrets are ignored", func(t *testing.T) {
		require.EqualError(t, dnsprovider.RedactError(errors.New("a b c"), "a"), "a b c")
	})
}

// requireNoForm checks that no form of echoed shows in v, any way v can be printed.
func requireNoForm(t *testing.T, v any) {
	t.Helper()
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "v", v)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "v", v)
	out := fmt.Sprintf("%v|%+v|%#v|%s|%q", v, v, v, v, v) + logs.String()
	for name, form := range echoedForms() {
		require.NotContains(t, out, form, name)
	}
}
