package webhook_test

import (
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/webhook"
)

// TestACMELifeCycleDelivered: issued, renewed and revoked events of a real
// ACME flow (Pebble in the process) reach the tenant's receiver in order,
// each with the certificate's public facts and none with its key.
func TestACMELifeCycleDelivered(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an ACME CA")
	}
	pebble := certstest.Start(t)
	iss, err := acme.New(pebble.ACMEConfig())
	require.NoError(t, err)
	c := newClock()
	c.Add(time.Minute) // ahead of the CA's clock, never behind (see certstest)
	st := store.NewMemory()
	m, err := certs.New(certs.Config{Store: st, Issuer: iss, Clock: c.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	pebble.HandleHTTP01(m.HTTPHandler(nil))
	pebble.HandleTLSALPN01(m.GetCertificate)
	d, err := webhook.New(t.Context(), webhook.Config{Manager: m, Store: st, Clock: c.Now, Client: receiverClient(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	defer d.Close()
	e := &env{t: t, ctx: t.Context(), st: st, clock: c, m: m, d: d}
	r := newReceiver(t, c)
	e.subscribe(r, "shop")

	const host = "shop.example.com"
	var keys []string
	keyOf := func() {
		key, err := m.PrivateKey(e.ctx, host, certs.SourceACME)
		require.NoError(t, err)
		block, _ := pem.Decode(key)
		keys = append(keys, base64.StdEncoding.EncodeToString(block.Bytes)[:40])
	}
	_, err = m.Request(e.ctx, host, certs.ObtainOptions{}) // creates the hostname, pending
	require.NoError(t, err)
	e.setTenant(host, "shop")
	m.RenewDue(e.ctx) // places the order
	keyOf()
	_, err = m.Renew(e.ctx, host, certs.RenewOptions{})
	require.NoError(t, err)
	keyOf()
	_, err = m.Revoke(e.ctx, host, certs.ReasonSuperseded)
	require.NoError(t, err)
	e.deliverDue()

	got := r.got()
	require.Equal(t, map[string][]string{host: {"issued", "renewed", "revoked"}}, byHost(got))
	for _, p := range got {
		require.Equal(t, "shop", p.Tenant)
		require.Equal(t, certs.SourceACME, p.Certificate.Source)
		require.NotEmpty(t, p.Certificate.FingerprintSHA256)
		require.Contains(t, p.Certificate.ChainPEM, "BEGIN CERTIFICATE")
		require.NotContains(t, mustJSON(t, p), "PRIVATE KEY")
		for _, k := range keys {
			require.NotContains(t, mustJSON(t, p), k)
		}
	}
	require.NotNil(t, got[2].Certificate.RevokedAt)
	require.NotEqual(t, got[0].Certificate.FingerprintSHA256, got[1].Certificate.FingerprintSHA256)
}
