package certs

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// TestSecretsNeverPrinted drives the Manager through its operations with a
// logger that records everything, then prints every exported value it
// handed out in every way a user might (%v, %+v, %#v, JSON) and checks that
// no private key material shows up anywhere. Only PrivateKey and Export
// return keys, explicitly.
func TestSecretsNeverPrinted(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := newFixture(t, func(c *Config) { c.Logger = logger })
	ctx := context.Background()
	host := "secret.example.com"
	l := f.leaf([]string{host}, testpki.LeafOptions{})
	in := input(l)
	var events []Event
	f.m.Subscribe(func(ev Event) { events = append(events, ev) })

	h := f.importLeaf(host, l)
	f.putACME(host, f.leaf([]string{host}, testpki.LeafOptions{}))
	got, err := f.m.Get(ctx, host)
	require.NoError(t, err)
	page, err := f.m.List(ctx, ListOptions{})
	require.NoError(t, err)
	st, err := f.m.Status(ctx, host)
	require.NoError(t, err)
	rep := f.m.Validate(in, host)
	_, importErr := f.m.Import(ctx, "other.example.com", in, ImportOptions{}) // hostname mismatch
	require.Error(t, importErr)
	_, _ = f.m.RemoveCustom(ctx, host)
	issued := &IssuedCertificate{ChainPEM: l.ChainPEM(), KeyPEM: l.KeyPEM(), URL: "https://ca.test/cert/1"}

	ek, err := store.GenerateKey("k1")
	require.NoError(t, err)
	cfg := Config{Store: f.store, EncryptionKey: &ek, PreviousEncryptionKeys: []store.Key{ek}}
	values := []any{h, got, page, st, rep, in, importErr, events, issued, f.m, cfg, &cfg, ObtainOptions{}}
	var out strings.Builder
	for _, v := range values {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&out, format+"\n", v)
		}
		if b, err := json.Marshal(v); err == nil {
			out.Write(b)
		}
	}
	out.Write(logs.Bytes())
	key, err := f.m.PrivateKey(ctx, host, SourceACME)
	require.NoError(t, err)
	for _, k := range [][]byte{l.KeyPEM(), key} {
		require.False(t, leaks(out.String(), k))
	}
	for _, form := range []string{fmt.Sprintf("%x", ek.Secret[:12]), base64.StdEncoding.EncodeToString(ek.Secret[:])[:16],
		strings.Trim(fmt.Sprint(ek.Secret[:8]), "[]")} {
		require.NotContains(t, out.String(), form, "encryption key printed")
	}
	require.NotEmpty(t, logs.String(), "the logger was used")

	// The checker itself catches a leak in each printed form.
	leaky := struct{ Key []byte }{l.KeyPEM()}
	for _, format := range []string{"%v", "%s", "%x"} {
		require.True(t, leaks(fmt.Sprintf(format, leaky), l.KeyPEM()), format)
	}
	b, _ := json.Marshal(leaky)
	require.True(t, leaks(string(b), l.KeyPEM()))
}

// leaks reports whether s contains key material of the PEM key k in any
// form fmt or encoding/json would print it: PEM base64 lines, raw bytes as
// text, decimal bytes, hex, or JSON's base64 of the PEM.
func leaks(s string, k []byte) bool {
	forms := keyLines(Input{PrivateKey: k})
	forms = append(forms,
		strings.Trim(fmt.Sprint(k[40:80]), "[]"),
		fmt.Sprintf("%x", k[40:80]),
		string(k[40:80]),
	)
	enc, _ := json.Marshal(k)
	forms = append(forms, string(enc[20:60]))
	for _, f := range forms {
		if strings.Contains(s, f) {
			return true
		}
	}
	return false
}

// TestSecretsEveryVerbJSONAndSlog prints values holding private keys or DNS
// credentials, as pointers and as values, with every fmt verb, JSON, and
// both slog handlers, and checks that no secret shows up.
func TestSecretsEveryVerbJSONAndSlog(t *testing.T) {
	f := newFixture(t)
	l := f.leaf([]string{"v.example.com"}, testpki.LeafOptions{})
	issued := IssuedCertificate{ChainPEM: l.ChainPEM(), KeyPEM: l.KeyPEM(), URL: "https://ca.test/cert/1"}
	creds := DNSCredentials{"apiToken": "tok-SECRET-4242"}
	opts := ObtainOptions{DNSProviderName: "cloudflare", DNSCredentials: creds}
	ropts := RenewOptions{DNSProviderName: "cloudflare", DNSCredentials: creds}
	values := []any{issued, &issued, creds, &creds, opts, &opts, ropts, &ropts, f.m}
	var out bytes.Buffer
	text := slog.New(slog.NewTextHandler(&out, nil))
	js := slog.New(slog.NewJSONHandler(&out, nil))
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		b, err := json.Marshal(v)
		if err == nil {
			out.Write(b)
		}
		text.Info("value", "v", v)
		js.Info("value", "v", v)
	}
	require.False(t, leaks(out.String(), l.KeyPEM()), "a private key was printed")
	for _, form := range []string{"tok-SECRET-4242", fmt.Sprintf("%x", "tok-SECRET-4242")} {
		require.NotContains(t, out.String(), form, "a DNS credential was printed")
	}
	// The check sees a leak when there is one.
	var leaky bytes.Buffer
	fmt.Fprintf(&leaky, "%x", map[string]string(creds))
	require.Contains(t, leaky.String(), fmt.Sprintf("%x", "tok-SECRET-4242"))
}
