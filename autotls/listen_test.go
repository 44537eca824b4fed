package autotls_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/autotls"
)

// TestListenWithOwnServerTLSALPN01: Listen hands a TLS listener to the
// user's own http.Server; with DisableHTTP the CA validates TLS-ALPN-01
// through that listener; the user's server negotiates HTTP/2; the Manager
// shows the certificate.
func TestListenWithOwnServerTLSALPN01(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.cfg.HTTPListener = nil
	s.cfg.DisableHTTP = true
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, m, err := autotls.Listen(ctx, s.cfg, s.name)
	require.NoError(t, err)
	srv := &http.Server{Handler: hello, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	c := client(s.ca, ln.Addr().String(), "127.0.0.1:1")
	resp, body := getWhenIssued(t, c, "https://"+s.name+"/")
	require.Equal(t, "hello "+s.name+" over HTTP/2.0", body)
	require.Equal(t, "h2", resp.TLS.NegotiatedProtocol)

	h, err := m.Get(ctx, s.name)
	require.NoError(t, err)
	require.Equal(t, certs.StatusActive, h.Status)
	require.Equal(t, certs.ChallengeTLSALPN01, h.ACME.Options.Challenge)
	require.Nil(t, h.Pending)
}

// TestListenServesPort80UntilCancelled: Listen serves HTTP-01 and the
// redirect on port 80 until ctx is cancelled, then closes it; the TLS
// listener is the caller's to close.
func TestListenServesPort80UntilCancelled(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	httpAddr := s.cfg.HTTPListener.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, _, err := autotls.Listen(ctx, s.cfg, s.name)
	require.NoError(t, err)
	srv := &http.Server{Handler: hello, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	c := client(s.ca, ln.Addr().String(), httpAddr)
	_, body := getWhenIssued(t, c, "https://"+s.name+"/")
	require.Equal(t, "hello "+s.name+" over HTTP/2.0", body)
	resp, err := c.Get("http://" + s.name + "/x")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, "https://"+s.name+"/x", resp.Header.Get("Location"))

	cancel()
	requireClosed(t, httpAddr)
	_, body = getWhenIssued(t, c, "https://"+s.name+"/")
	require.Equal(t, "hello "+s.name+" over HTTP/2.0", body, "the TLS listener goes on serving")
}

// TestServeDefaultStoreAndRestart: without a Store the certificates go to
// the filesystem under store.DefaultDir() ($XDG_DATA_HOME/certs); after a
// restart the stored certificate is served at once, with no new order.
func TestServeDefaultStoreAndRestart(t *testing.T) {
	s := newSite(t)
	data := t.TempDir()
	t.Setenv("XDG_DATA_HOME", data)
	s.cfg.Store = nil
	stop := serve(t, s.cfg, hello, s.name)
	first := client(s.ca, s.cfg.HTTPSListener.Addr().String(), s.cfg.HTTPListener.Addr().String())
	getWhenIssued(t, first, "https://"+s.name+"/")
	first.CloseIdleConnections() // else the HTTP/2 shutdown waits 1 s for the client to hang up
	require.NoError(t, stop())
	entries, err := os.ReadDir(filepath.Join(data, "certs"))
	require.NoError(t, err)
	require.NotEmpty(t, entries, "records are kept under $XDG_DATA_HOME/certs")

	// Restart on other ports: the CA's validation ports are not served any
	// more, so a new order would fail.
	s.cfg.HTTPSListener, s.cfg.HTTPListener = listenLocal(t), listenLocal(t)
	srv, err := autotls.New(context.Background(), s.cfg, s.name)
	require.NoError(t, err)
	before, err := srv.Manager().Get(context.Background(), s.name)
	require.NoError(t, err)
	require.Equal(t, certs.StatusActive, before.Status, "loaded from the Store")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, hello) }()
	c := client(s.ca, s.cfg.HTTPSListener.Addr().String(), s.cfg.HTTPListener.Addr().String())
	resp, _ := getWhenIssued(t, c, "https://"+s.name+"/")
	require.Equal(t, before.ACME.FingerprintSHA256, fingerprint(resp.TLS.PeerCertificates[0].Raw))
	after, err := srv.Manager().Get(context.Background(), s.name)
	require.NoError(t, err)
	require.Nil(t, after.Pending, "no new order")
	cancel()
	require.NoError(t, <-done)
}
