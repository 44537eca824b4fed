package webhook_test

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/webhook"
)

// TestSecretNeverShown: a subscription's secret is in no fmt verb, JSON,
// slog output, log line of the Dispatcher or listing; Reveal returns it.
func TestSecretNeverShown(t *testing.T) {
	c := newClock()
	e := newEnv(t, newFS(t, t.TempDir()), c, newCA(t), webhook.Config{})
	r := newReceiver(t, c)
	sub := e.subscribe(r, webhook.AllTenants)
	secret := sub.Secret.Reveal()
	require.Len(t, secret, len("whsec_")+43)

	var shown []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		shown = append(shown, fmt.Sprintf(verb, *sub), fmt.Sprintf(verb, sub), fmt.Sprintf(verb, sub.Secret))
	}
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		slog.New(h).Info("sub", "sub", sub, "secret", sub.Secret, "value", *sub)
	}
	e.importCert("a.example.com")
	e.deliverDue()
	require.Len(t, r.got(), 1)
	shown = append(shown, logs.String(), e.logs.String(), mustJSON(t, sub), mustJSON(t, e.d.Subscriptions("")),
		mustJSON(t, e.deliveries(sub.ID, webhook.ListOptions{})), fmt.Sprint(e.d))
	for _, s := range shown {
		require.NotContains(t, s, secret)
		require.NotContains(t, s, secret[6:20])
	}
	require.Contains(t, mustJSON(t, sub), `"secret":"\u003credacted\u003e"`)
}

// TestAttemptErrorsKeepTheURLOut: a failed attempt's error and log line
// say what failed without the URL, whose query may hold a token.
func TestAttemptErrorsKeepTheURLOut(t *testing.T) {
	c := newClock()
	e := newEnv(t, newFS(t, t.TempDir()), c, newCA(t), webhook.Config{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now
	sub, err := e.d.AddSubscription(e.ctx, webhook.Subscription{Tenant: webhook.AllTenants,
		URL: "https://" + addr + "/hook?token=tok-4242"})
	require.NoError(t, err)
	e.importCert("a.example.com")
	e.deliverDue()
	dl := e.deliveries(sub.ID, webhook.ListOptions{})[0]
	require.Equal(t, webhook.StatusPending, dl.Status)
	require.Contains(t, dl.Attempts[0].Error, "connection refused")
	require.Zero(t, dl.Attempts[0].StatusCode)
	require.NotContains(t, dl.Attempts[0].Error, "tok-4242")
	require.NotContains(t, e.logs.String(), "tok-4242")
}

// TestPayloadsCarryNoKeyMaterial: the payload of every event of a real
// life cycle (import, expiring, replace, remove the certificate, remove
// the hostname) holds the certificate's public facts and chain but no
// private key, neither on the wire nor in the Store's outbox.
func TestPayloadsCarryNoKeyMaterial(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	e := newEnv(t, newFS(t, dir), c, newCA(t), webhook.Config{})
	r := newReceiver(t, c)
	e.subscribe(r, webhook.AllTenants)
	var keys [][]byte
	for _, days := range []int{10, 90} { // 10 days: an expiring event too
		in, err := e.ca.Issue(time.Duration(days)*24*time.Hour, "a.example.com")
		require.NoError(t, err)
		keys = append(keys, in.PrivateKey)
		_, err = e.m.Import(e.ctx, "a.example.com", in, certs.ImportOptions{})
		require.NoError(t, err)
	}
	_, err := e.m.RemoveCustom(e.ctx, "a.example.com")
	require.NoError(t, err)
	e.importCert("b.example.com")
	require.NoError(t, e.m.Remove(e.ctx, "b.example.com"))
	e.deliverDue()

	require.Equal(t, map[string][]string{
		"a.example.com": {"imported", "expiring", "imported", "removed"},
		"b.example.com": {"imported", "removed"},
	}, byHost(r.got()))
	require.NotEmpty(t, r.got()[0].Certificate.ChainPEM)
	var outbox []byte
	require.NoError(t, filepath.WalkDir(filepath.Join(dir), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(path, "webhooks") {
			b, rerr := os.ReadFile(path)
			outbox = append(outbox, b...)
			return rerr
		}
		return err
	}))
	wire := []byte(mustJSON(t, r.got()))
	for _, key := range keys {
		der, _ := pem.Decode(key)
		for _, b := range [][]byte{wire, outbox} {
			require.NotContains(t, string(b), "PRIVATE KEY")
			require.NotContains(t, string(b), base64.StdEncoding.EncodeToString(der.Bytes)[:40])
		}
	}
}
