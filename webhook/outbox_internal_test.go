package webhook

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// TestCrashBetweenDeliveryAndMeta: a process that stopped after writing a
// delivery but before the meta blob that counts it (the meta blob is put
// back as it was before) loses nothing: the next Dispatcher finds the
// delivery, delivers it in order, and numbers the next event after it.
func TestCrashBetweenDeliveryAndMeta(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	ca, err := certstest.NewLocalCA()
	require.NoError(t, err)
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get(DeliveryHeader))
		mu.Unlock()
	}))
	defer srv.Close()
	open := func() (*certs.Manager, *Dispatcher, store.Store) {
		st, err := store.NewFS(dir)
		require.NoError(t, err)
		m, err := certs.New(certs.Config{Store: st, Roots: ca.Roots(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		require.NoError(t, err)
		d, err := New(ctx, Config{Manager: m, Store: st, AllowHTTP: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		require.NoError(t, err)
		return m, d, st
	}
	importCert := func(m *certs.Manager) {
		in, err := ca.Issue(90*24*time.Hour, "a.example.com")
		require.NoError(t, err)
		_, err = m.Import(ctx, "a.example.com", in, certs.ImportOptions{})
		require.NoError(t, err)
	}

	m, d, st := open()
	sub, err := d.AddSubscription(ctx, Subscription{ID: "s", Tenant: AllTenants, URL: srv.URL})
	require.NoError(t, err)
	importCert(m)
	o, err := d.outboxFor(sub.ID)
	require.NoError(t, err)
	before, err := st.GetBlob(ctx, o.metaKey())
	require.NoError(t, err)
	importCert(m)
	d.Close()
	require.NoError(t, st.PutBlob(ctx, o.metaKey(), before)) // as if the process died there

	m, d, _ = open()
	defer d.Close()
	importCert(m)
	require.NoError(t, d.DeliverDue(ctx))
	require.Equal(t, []string{"s.0", "s.1", "s.2"}, got)
}

// TestKeyMaterialIsNeverSent: a payload that would carry a PEM private
// key is refused before it reaches the outbox.
func TestKeyMaterialIsNeverSent(t *testing.T) {
	ev := certs.Event{Type: certs.EventImported, Hostname: "a.example.com",
		Certificate: &certs.Certificate{ChainPEM: "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"}}
	_, err := newPayload("s.0", "", ev).encode()
	require.ErrorIs(t, err, ErrKeyMaterial)
	ev.Certificate.ChainPEM = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
	_, err = newPayload("s.0", "", ev).encode()
	require.NoError(t, err)
}
