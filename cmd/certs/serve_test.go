package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/internal/pebbletest"
)

const testToken = "test-token-0123456789abcdef"

// server is a `certs serve` running as a subprocess.
type server struct {
	cmd        *exec.Cmd
	httpsAddr  string
	apiURL     string
	metricsURL string
	mu         sync.Mutex
	log        strings.Builder
	exited     chan struct{}
	exitErr    error
}

// startServe starts `certs serve` with args and waits until it serves.
func startServe(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	s := &server{cmd: exec.Command(binary, append([]string{"serve"}, args...)...), exited: make(chan struct{})}
	s.cmd.Env = env
	stderr, err := s.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, s.cmd.Start())
	ready := make(chan string, 1)
	go s.readLog(stderr, ready)
	t.Cleanup(func() { s.stop(t) })
	select {
	case line := <-ready:
		s.httpsAddr = attr(line, "https")
		s.apiURL = "http://" + attr(line, "api")
		s.metricsURL = "http://" + attr(line, "metrics") + "/metrics"
	case <-s.exited:
		t.Fatalf("certs serve exited: %v\n%s", s.exitErr, s.logText())
	case <-time.After(30 * time.Second):
		t.Fatalf("certs serve did not start\n%s", s.logText())
	}
	return s
}

// readLog keeps serve's log and signals its "serving" line.
func (s *server) readLog(r io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		s.mu.Lock()
		s.log.WriteString(sc.Text() + "\n")
		s.mu.Unlock()
		if strings.Contains(sc.Text(), "certs serve: serving") {
			ready <- sc.Text()
		}
	}
	s.exitErr = s.cmd.Wait()
	close(s.exited)
}

func (s *server) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// stop kills serve if it still runs.
func (s *server) stop(t *testing.T) {
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// attr is the value of key=value in a log line.
func attr(line, key string) string {
	m := regexp.MustCompile(`\b` + key + `=(\S+)`).FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	return m[1]
}

// httpsGet makes an HTTPS request to addr for serverName, trusting roots.
func httpsGet(t *testing.T, ca *pebbletest.Server, addr, serverName string, extra ...*certstest.LocalCA) (string, *tls.ConnectionState) {
	t.Helper()
	roots := ca.IssuerRoots.Clone()
	for _, l := range extra {
		roots = l.Roots()
	}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{ServerName: serverName, RootCAs: roots},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + serverName + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return string(body), resp.TLS
}

// TestServeAndRemote runs `certs serve` as a subprocess on a store and a
// Pebble: it obtains the certificate of --name, serves HTTPS with it and
// the API for the CLI's remote mode (obtain, list, show, import, validate,
// export, revoke, remove, a wrong token), delivers a webhook subscribed
// through the API to a real receiver, sees what the local CLI adds,
// and shuts down cleanly on SIGTERM.
func TestServeAndRemote(t *testing.T) {
	t.Parallel()
	e := startCA(t)
	domain := pebbletest.UniqueDomain("test")
	www, shop := "www."+domain, "shop."+domain
	store, deploy := filepath.Join(t.TempDir(), "store"), filepath.Join(t.TempDir(), "deploy")
	srv := startServe(t, cleanEnv("CERTS_API_TOKEN="+testToken), e.with("--store", store,
		"--https-addr", "127.0.0.1:0", "--http-addr", e.httpAddr, "--api-addr", "127.0.0.1:0", "--name", www,
		"--metrics-addr", "127.0.0.1:0", "--webhook-allow-http", "--deploy-dir", deploy, "--deploy-hook", `echo "$CERTS_RENEWED_DOMAINS" >> hook.log`)...)
	remote := func(t *testing.T, want int, args ...string) result {
		t.Helper()
		r := certsRun(t, cleanEnv("CERTS_SERVER="+srv.apiURL, "CERTS_API_TOKEN="+testToken), "", args...)
		require.Equal(t, want, r.code, "certs %s\n%s", strings.Join(args, " "), r)
		return r
	}
	t.Run("obtain through the API", func(t *testing.T) {
		r := remote(t, 0, "obtain", shop, "--timeout", "60s", "--json")
		h := decode[api.Hostname](t, r)
		require.Equal(t, "active", h.Status)
		require.Contains(t, r.stderr, "the server is placing the order")
		body, _ := httpsGet(t, e.ca, srv.httpsAddr, shop)
		require.Equal(t, "certs serve: "+shop+" is served over HTTPS; start with --upstream to proxy to your application\n", body)
	})
	t.Run("--name obtained at start", func(t *testing.T) { waitActive(t, remote, www) })
	t.Run("list and show", func(t *testing.T) {
		page := decode[api.Page](t, remote(t, 0, "list", "--json", "--sort", "name"))
		require.Equal(t, 2, page.TotalCount)
		require.Equal(t, []string{shop, www}, []string{page.Certificates[0].Hostname, page.Certificates[1].Hostname})
		require.Regexp(t, shop+`\s+active\s+acme`, remote(t, 0, "list").stdout)
		require.Equal(t, "not_found", decode[errorJSON](t, remote(t, exitNotFound, "show", "nope."+domain, "--json")).Error.Code)
	})
	t.Run("webhooks", func(t *testing.T) { remoteWebhooks(t, srv, remote, "hook."+domain) })
	t.Run("import and validate", func(t *testing.T) { remoteImport(t, e.ca, srv, remote, "api."+domain) })
	t.Run("export", func(t *testing.T) { remoteExport(t, remote, shop) })
	t.Run("revoke and remove", func(t *testing.T) { remoteRevokeRemove(t, remote, shop) })
	t.Run("metrics", func(t *testing.T) {
		body := httpGet(t, srv.metricsURL)
		require.Regexp(t, `certs_events_total\{type="issued"\} [1-9]`, body)
		require.Regexp(t, `certs_handshakes_served_total\{source="custom"\} [1-9]`, body)
		require.Regexp(t, `certs_handshakes_served_total\{source="acme"\} [1-9]`, body)
	})
	t.Run("deploy hook", func(t *testing.T) { waitDeployed(t, deploy, www) })
	t.Run("a wrong token", func(t *testing.T) {
		r := certsRun(t, cleanEnv("CERTS_SERVER="+srv.apiURL, "CERTS_API_TOKEN=wrong-token-0123456789"), "", "list")
		require.Equal(t, exitUnauthorized, r.code, r)
		certsOK(t, exitUsage, "list", "--server", srv.apiURL) // no token at all
	})
	t.Run("the local CLI sees the served store", func(t *testing.T) {
		require.Contains(t, certsOK(t, 0, "list", "--store", store).stdout, www)
	})
	t.Run("SIGTERM shuts down cleanly", func(t *testing.T) {
		require.NoError(t, srv.cmd.Process.Signal(syscall.SIGTERM))
		select {
		case <-srv.exited:
		case <-time.After(20 * time.Second):
			t.Fatalf("certs serve still runs after SIGTERM\n%s", srv.logText())
		}
		require.NoError(t, srv.exitErr, srv.logText())
		require.Contains(t, srv.logText(), "shutting down")
	})
}

// waitActive polls a hostname through the API until it is active.
func waitActive(t *testing.T, remote remoteFunc, name string) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		h := decode[api.Hostname](t, remote(t, 0, "show", name, "--json"))
		if h.Status == "active" {
			return
		}
		require.True(t, time.Now().Before(deadline), "%s is %s: %+v", name, h.Status, h.PendingOrder)
		time.Sleep(200 * time.Millisecond)
	}
}

// remoteImport uploads a bad then a good custom certificate through the
// API and gets it served.
func remoteImport(t *testing.T, ca *pebbletest.Server, srv *server, remote remoteFunc, host string) {
	local, err := certstest.NewLocalCA()
	require.NoError(t, err)
	good, err := local.Issue(30*24*time.Hour, host)
	require.NoError(t, err)
	other, err := local.Issue(30*24*time.Hour, host)
	require.NoError(t, err)
	dir := t.TempDir()
	cert, key, wrong := writeFile(t, dir, "c.pem", good.Certificate), writeFile(t, dir, "k.pem", good.PrivateKey),
		writeFile(t, dir, "o.pem", other.PrivateKey)
	rep := decode[api.ValidationReport](t, remote(t, exitInvalid, "validate", host, "--cert", cert, "--key", wrong, "--json"))
	require.Equal(t, "key_mismatch", rep.Errors[0].Code)
	r := remote(t, exitInvalid, "import", host, "--cert", cert, "--key", wrong, "--json")
	require.Equal(t, "key_mismatch", decode[errorJSON](t, r).Error.Code)
	h := decode[api.Hostname](t, remote(t, 0, "import", host, "--cert", cert, "--key", key, "--json"))
	require.True(t, h.HasCustomCertificate)
	_, state := httpsGet(t, ca, srv.httpsAddr, host, local)
	require.Equal(t, "certstest Local CA", state.PeerCertificates[0].Issuer.CommonName)
}

// httpGet returns the body of a plain GET.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	return string(b)
}

// waitDeployed waits for the deploy hook to write name's files and run
// its command.
func waitDeployed(t *testing.T, dir, name string) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		log, _ := os.ReadFile(filepath.Join(dir, "hook.log"))
		info, err := os.Stat(filepath.Join(dir, "live", name, "privkey.pem"))
		if err == nil && strings.Contains(string(log), name) {
			require.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
			return
		}
		require.True(t, time.Now().Before(deadline), "no deployment of %s: %v, hook log %q", name, err, log)
		time.Sleep(200 * time.Millisecond)
	}
}

// remoteFunc runs the CLI in remote mode and wants an exit code.
type remoteFunc = func(t *testing.T, want int, args ...string) result

func remoteExport(t *testing.T, remote remoteFunc, name string) {
	dir := filepath.Join(t.TempDir(), "live")
	remote(t, 0, "export", name, "--dir", dir)
	info, err := os.Stat(filepath.Join(dir, "privkey.pem"))
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
	_, err = tls.LoadX509KeyPair(filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem"))
	require.NoError(t, err)
}

func remoteRevokeRemove(t *testing.T, remote remoteFunc, name string) {
	h := decode[api.Hostname](t, remote(t, 0, "revoke", name, "--reason", "4", "--json"))
	require.Equal(t, "revoked", h.Certificates[0].Status)
	require.Equal(t, "superseded", h.Certificates[0].RevocationReason)
	remote(t, exitConflict, "revoke", name)
	remote(t, 0, "remove", name)
	remote(t, exitNotFound, "remove", name)
}
