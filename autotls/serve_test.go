package autotls_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/autotls"
)

// TestServeObtainsAndServes: one call serves the handler over HTTPS with a
// certificate the CA issued after validating HTTP-01 against autotls's own
// port-80 server; HTTP/2 is negotiated; http:// redirects to https://; a
// cancelled context shuts both servers down and Serve returns nil.
func TestServeObtainsAndServes(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	httpsAddr, httpAddr := s.cfg.HTTPSListener.Addr().String(), s.cfg.HTTPListener.Addr().String()
	stop := serve(t, s.cfg, hello, s.name)
	c := client(s.ca, httpsAddr, httpAddr)

	resp, body := getWhenIssued(t, c, "https://"+s.name+"/hello")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "hello "+s.name+" over HTTP/2.0", body)
	require.Equal(t, 2, resp.ProtoMajor)
	require.Equal(t, "h2", resp.TLS.NegotiatedProtocol)
	require.Equal(t, []string{s.name}, resp.TLS.PeerCertificates[0].DNSNames)

	resp, err := c.Get("http://" + s.name + "/path?q=1")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, "https://"+s.name+"/path?q=1", resp.Header.Get("Location"))

	// A name nothing serves fails the handshake, logged at debug level
	// (scanners send such names all day).
	_, err = tls.Dial("tcp", httpsAddr, &tls.Config{ServerName: "unknown.test", RootCAs: s.ca.IssuerRoots})
	require.Error(t, err)
	require.Eventually(t, func() bool {
		level, ok := s.logs.find("autotls: HTTPS server", "TLS handshake error")
		return ok && level == slog.LevelDebug
	}, waitFor, 10*time.Millisecond)
	_, ok := s.logs.find("autotls: serving", s.name)
	require.True(t, ok, "the start is logged with the names")

	require.NoError(t, stop(), "a cancelled Serve returns nil")
	requireClosed(t, httpsAddr)
	requireClosed(t, httpAddr)
}

// TestServeGracefulShutdown: after cancellation a request in flight still
// gets its whole answer, and Serve returns only once it has.
func TestServeGracefulShutdown(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	httpsAddr := s.cfg.HTTPSListener.Addr().String()
	entered, release := make(chan struct{}, 1), make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/", hello)
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		_, _ = io.WriteString(w, "finished")
	})
	stop := serve(t, s.cfg, mux, s.name)
	c := client(s.ca, httpsAddr, s.cfg.HTTPListener.Addr().String())
	getWhenIssued(t, c, "https://"+s.name+"/")

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := c.Get("https://" + s.name + "/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	requireClosed(t, httpsAddr) // no new connections...
	select {
	case err := <-stopped:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release) // ...but the request in flight finishes
	r := <-got
	require.NoError(t, r.err)
	require.Equal(t, "finished", r.body)
	require.NoError(t, <-stopped)
}

// TestServeShutdownTimeout: a request still running at the shutdown
// deadline is cut off, and Serve says so with context.DeadlineExceeded.
func TestServeShutdownTimeout(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.cfg.ShutdownTimeout = 100 * time.Millisecond
	entered, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.Handle("/", hello)
	mux.HandleFunc("/stuck", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	stop := serve(t, s.cfg, mux, s.name)
	c := client(s.ca, s.cfg.HTTPSListener.Addr().String(), s.cfg.HTTPListener.Addr().String())
	getWhenIssued(t, c, "https://"+s.name+"/")

	failed := make(chan error, 1)
	go func() {
		resp, err := c.Get("https://" + s.name + "/stuck")
		if err == nil {
			_ = resp.Body.Close()
		}
		failed <- err
	}()
	<-entered
	start := time.Now()
	err := stop()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "shutdown timeout (100ms)")
	require.Less(t, time.Since(start), 5*time.Second)
	require.Error(t, <-failed, "the stuck request was cut off")
}

// TestServeOnDemand: with Config.OnDemand and no names, a handshake for a
// name the policy allows obtains its certificate (TLS-ALPN-01, answered on
// the HTTPS listener itself) while the client waits; other names fail.
func TestServeOnDemand(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.cfg.OnDemand = &certs.OnDemandConfig{Decide: certs.AllowNames(s.name)}
	serve(t, s.cfg, hello)
	c := client(s.ca, s.cfg.HTTPSListener.Addr().String(), s.cfg.HTTPListener.Addr().String())

	_, body := getWhenIssued(t, c, "https://"+s.name+"/")
	require.Equal(t, "hello "+s.name+" over HTTP/2.0", body)
	_, err := c.Get("https://denied-" + s.name + "/")
	require.Error(t, err)
}

// TestServeCancelledBeforeStart: a context cancelled before Serve is a
// shutdown like any other: nil, listeners closed, nothing left running.
func TestServeCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, autotls.ServeConfig(ctx, s.cfg, hello, s.name))
	requireClosed(t, s.cfg.HTTPSListener.Addr().String())
	requireClosed(t, s.cfg.HTTPListener.Addr().String())
}

// TestServeOnce: a Server serves once; a second Serve or Listen is an
// error that says to make a new one.
func TestServeOnce(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	srv, err := autotls.New(context.Background(), s.cfg, s.name)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.NoError(t, srv.Serve(ctx, hello))
	require.ErrorContains(t, srv.Serve(ctx, hello), "make a new one with New")
	_, err = srv.Listen(ctx)
	require.ErrorContains(t, err, "make a new one with New")
}

// listenLocal opens a loopback listener for a test to hand to Config.
func listenLocal(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	return ln
}
