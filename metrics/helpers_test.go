package metrics_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/internal/tlstest"
	"github.com/certs-dev/certs/metrics"
	"github.com/certs-dev/certs/store"
)

// env is a Manager on an in-process Pebble (through a proxy that can
// answer new orders with a 429 rateLimited problem) and a local CA for
// imports, its Metrics served at /metrics, and a TLS listener on loopback
// that serves the Manager through the Metrics' TLSConfig.
type env struct {
	t       *testing.T
	ca      *certstest.CA
	local   *certstest.LocalCA
	st      store.Store
	m       *certs.Manager
	mx      *metrics.Metrics
	reg     *prometheus.Registry
	url     string // of /metrics
	tlsAddr string

	limited atomic.Bool            // the CA answers new orders with 429
	refuse  atomic.Pointer[string] // a name whose HTTP-01 challenges get a 404
}

type envOptions struct {
	// onDemand allows on-demand certificates for allowed.example.com.
	onDemand bool
	// defaultCert serves clients without SNI.
	defaultCert bool
	metrics     metrics.Options
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	e := &env{t: t, ca: certstest.Start(t), st: store.NewMemory(), reg: prometheus.NewRegistry()}
	var err error
	e.local, err = certstest.NewLocalCA()
	require.NoError(t, err)
	acmeCfg := e.ca.ACMEConfig()
	acmeCfg.Logger = slog.New(slog.DiscardHandler)
	iss, err := acme.New(e.rateLimitable(acmeCfg))
	require.NoError(t, err)
	cfg := certs.Config{Store: e.st, Issuer: iss, DNSProvider: e.ca.DNSProvider(), Roots: e.local.Roots(),
		Logger: slog.New(slog.DiscardHandler), DisableOCSPStapling: true}
	if o.onDemand {
		decide, err := metrics.WrapDecide(e.reg, certs.AllowNames("allowed.example.com"))
		require.NoError(t, err)
		cfg.OnDemand = &certs.OnDemandConfig{Decide: decide}
	}
	if o.defaultCert {
		cfg.DefaultCertificate = e.localTLSCertificate("default.invalid")
	}
	e.m, err = certs.New(cfg)
	require.NoError(t, err)
	e.mx, err = metrics.New(e.m, e.reg, o.metrics)
	require.NoError(t, err)
	t.Cleanup(e.mx.Close)
	e.ca.HandleHTTP01(e.refusing(e.m.HTTPHandler(nil)))
	e.ca.HandleTLSALPN01(e.mx.WrapGetCertificate(e.m.GetCertificate))
	mux := http.NewServeMux()
	mux.Handle("/metrics", e.mx.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e.url = srv.URL + "/metrics"
	e.tlsAddr = tlstest.Serve(t, e.mx.TLSConfig())
	return e
}

// rateLimitable puts a proxy in front of the CA that answers new-order
// requests with a 429 rateLimited problem while e.limited is set.
func (e *env) rateLimitable(cfg acme.Config) acme.Config {
	target, err := url.Parse(cfg.DirectoryURL)
	require.NoError(e.t, err)
	target.Path = ""
	rp := &httputil.ReverseProxy{
		// Pebble builds its URLs from the Host header, which the proxy
		// keeps, so that the client goes on talking to the proxy.
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = r.In.Host },
		Transport: cfg.HTTPClient.Transport,
	}
	proxy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.limited.Load() && r.Method == http.MethodPost && r.URL.Path == "/order-plz" {
			w.Header().Set("Retry-After", "3600")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"type":"urn:ietf:params:acme:error:rateLimited","detail":"too many certificates already issued","status":429}`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	e.t.Cleanup(proxy.Close)
	cfg.DirectoryURL, cfg.HTTPClient = proxy.URL+"/dir", proxy.Client()
	return cfg
}

// refusing answers the HTTP-01 challenges of the name in e.refuse with a
// 404, so that the CA fails its validation, and passes the rest to h.
func (e *env) refusing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if name := e.refuse.Load(); name != nil && *name == host {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// importCustom imports a certificate of the local CA valid for validFor.
func (e *env) importCustom(name string, validFor time.Duration) *certs.Host {
	e.t.Helper()
	in, err := e.local.Issue(validFor, name)
	require.NoError(e.t, err)
	h, err := e.m.Import(e.t.Context(), name, in, certs.ImportOptions{})
	require.NoError(e.t, err)
	return h
}

// obtain obtains an ACME certificate through HTTP-01.
func (e *env) obtain(name string) (*certs.Host, error) {
	return e.m.Obtain(e.t.Context(), name, certs.ObtainOptions{Challenge: certs.ChallengeHTTP01})
}

func (e *env) localTLSCertificate(name string) *tls.Certificate {
	in, err := e.local.Issue(time.Hour, name)
	require.NoError(e.t, err)
	c, err := tls.X509KeyPair(in.Certificate, in.PrivateKey)
	require.NoError(e.t, err)
	return &c
}

// handshake makes a TLS handshake with the listener for sni ("" sends
// none), verifying the certificate against both CAs' roots when one is
// served.
func (e *env) handshake(sni string) error {
	cfg := &tls.Config{ServerName: sni, MinVersion: tls.VersionTLS12, InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error { return verify(cs, e.ca.Roots(), e.local.Roots()) }}
	d := &net.Dialer{Timeout: 15 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", e.tlsAddr, cfg)
	if err != nil {
		return err
	}
	return conn.Close()
}

// verify checks the served chain against either pool, for its ServerName.
func verify(cs tls.ConnectionState, pools ...*x509.CertPool) error {
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	var err error
	for _, p := range pools {
		opts := x509.VerifyOptions{DNSName: cs.ServerName, Roots: p, Intermediates: inter}
		if _, err = cs.PeerCertificates[0].Verify(opts); err == nil {
			return nil
		}
	}
	return err
}

// scrape GETs /metrics and returns every sample as "name{l1="v1",...}"
// (labels sorted) -> value.
func (e *env) scrape() map[string]float64 {
	e.t.Helper()
	return scrapeURL(e.t, e.url)
}

func scrapeURL(t *testing.T, u string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			out[sample(name, m.GetLabel())] = value(m)
		}
	}
	return out
}

// scrapeQuietly is a scrape for other goroutines than the test's: it
// returns the body, empty on any error.
func scrapeQuietly(u string) string {
	resp, err := http.Get(u)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func value(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return m.GetUntyped().GetValue()
}

func sample(name string, labels []*dto.LabelPair) string {
	parts := make([]string, 0, len(labels))
	for _, l := range labels {
		parts = append(parts, l.GetName()+"="+`"`+l.GetValue()+`"`)
	}
	sort.Strings(parts)
	return name + "{" + strings.Join(parts, ",") + "}"
}

// key builds a sample key from a name and label pairs.
func key(name string, kv ...string) string {
	labels := make([]*dto.LabelPair, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		labels = append(labels, &dto.LabelPair{Name: &kv[i], Value: &kv[i+1]})
	}
	return sample(name, labels)
}
