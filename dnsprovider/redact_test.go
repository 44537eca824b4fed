package dnsprovider_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
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
