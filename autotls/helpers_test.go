package autotls_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/autotls"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// waitFor bounds every wait of these tests: issuance against the
// in-process Pebble takes about a second.
const waitFor = 30 * time.Second

// site is one name served by autotls and validated by a Pebble: the
// Pebble's validation ports are the listeners of the Config, so that the
// CA's HTTP-01 requests and TLS-ALPN-01 handshakes reach autotls's own
// servers.
type site struct {
	ca   *pebbletest.Server
	name string
	cfg  autotls.Config
	logs *logRecorder
}

func newSite(t *testing.T) *site {
	t.Helper()
	ca := pebbletest.Start(t, pebbletest.Options{})
	logs := &logRecorder{}
	return &site{ca: ca, name: pebbletest.UniqueDomain(""), logs: logs, cfg: autotls.Config{
		DirectoryURL:  ca.DirectoryURL,
		HTTPClient:    ca.HTTPClient(),
		Store:         store.NewMemory(),
		Logger:        slog.New(logs),
		HTTPSListener: ca.TLSListener,
		HTTPListener:  ca.HTTPListener,
	}}
}

// serve runs ServeConfig in the background; the returned function cancels
// it and returns what it returned (bounded). The test's cleanup does the
// same if the test did not.
func serve(t *testing.T, cfg autotls.Config, h http.Handler, names ...string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- autotls.ServeConfig(ctx, cfg, h, names...) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-errc:
			case <-time.After(waitFor):
				err = errors.New("Serve did not return after cancel")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// client returns an HTTP client that trusts the CA's issued certificates,
// sends https://<any name>/ to httpsAddr and http://<any name>/ to
// httpAddr (as DNS would send them to this server), offers HTTP/2, and
// does not follow redirects.
func client(ca *pebbletest.Server, httpsAddr, httpAddr string) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: ca.IssuerRoots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if strings.HasSuffix(addr, ":80") {
				return dialer.DialContext(ctx, network, httpAddr)
			}
			return dialer.DialContext(ctx, network, httpsAddr)
		},
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// getWhenIssued polls a GET of url until the handshake succeeds (the
// certificate is issued) and returns the response, its body read.
func getWhenIssued(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		resp, err := c.Get(url)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			require.NoError(t, rerr)
			require.NoError(t, resp.Body.Close())
			return resp, string(body)
		}
		require.True(t, time.Now().Before(deadline), "no certificate served within %s: %v", waitFor, err)
		time.Sleep(50 * time.Millisecond)
	}
}

// hello answers with the name the client asked for and the protocol.
var hello = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.WriteString(w, "hello "+r.TLS.ServerName+" over "+r.Proto)
})

// requireClosed fails unless nothing listens on addr any more.
func requireClosed(t *testing.T, addr string) {
	t.Helper()
	require.Eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}, waitFor, 20*time.Millisecond, "%s still accepts connections", addr)
}

// logRecorder is a slog.Handler that keeps every record.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// find returns the level of the first record whose message is msg and
// whose attributes mention substr, and whether there is one.
func (l *logRecorder) find(msg, substr string) (slog.Level, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.records {
		if r.Message != msg {
			continue
		}
		found := false
		r.Attrs(func(a slog.Attr) bool {
			found = strings.Contains(a.Value.String(), substr)
			return !found
		})
		if found {
			return r.Level, true
		}
	}
	return 0, false
}

// fingerprint is the SHA-256 of a DER certificate, as certs shows it.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}
