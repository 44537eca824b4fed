package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"text/tabwriter"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebblecore"
	"github.com/certs-dev/certs/store"
)

// demo shows the Manager end to end on loopback, with no internet: an
// embedded ACME CA (Pebble) and DNS server, ACME certificates for one name
// per challenge type and a wildcard, a custom certificate from a local CA,
// HTTPS served through the Manager, and real handshakes.
func demo(ctx context.Context, out io.Writer) error {
	start := time.Now()
	dir, err := os.MkdirTemp("", "certs-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pebble, stop, err := pebblecore.Run(pebblecore.Options{})
	if err != nil {
		return fmt.Errorf("start the embedded ACME server: %w", err)
	}
	defer stop()
	localCA, err := newLocalCA()
	if err != nil {
		return err
	}
	m, err := demoManager(dir, pebble, localCA)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "store %s, ACME directory %s\n", dir, pebble.DirectoryURL)

	// The CA reaches us on these two listeners: port "80" answers HTTP-01
	// from the Store, port "443" serves HTTPS and TLS-ALPN-01.
	https := serveDemo(m, pebble)
	defer https.Close()

	if err := obtainAll(ctx, m, out); err != nil {
		return err
	}
	roots := localCA.pool()
	for _, c := range pebble.IssuerRootCerts {
		roots.AddCert(c)
	}
	addr := pebble.TLSListener.Addr().String()
	if err := showFallbacks(ctx, m, localCA, addr, roots, out); err != nil {
		return err
	}
	fmt.Fprintln(out)
	if err := statusTable(ctx, m, out); err != nil {
		return err
	}
	fmt.Fprintf(out, "\ndone in %.1fs\n", time.Since(start).Seconds())
	return nil
}

// demoManager is a quiet Manager on a store in dir, with Pebble as its CA
// and DNS, trusting the local CA for imports.
func demoManager(dir string, pebble *pebblecore.Server, localCA *localCA) (*certs.Manager, error) {
	quiet := slog.New(slog.DiscardHandler)
	fs, err := store.NewFS(dir)
	if err != nil {
		return nil, err
	}
	issuer, err := acme.New(acme.Config{
		DirectoryURL: pebble.DirectoryURL, AgreeTOS: true, Email: "demo@demo.test",
		HTTPClient: pebble.HTTPClient(), Store: fs, Logger: quiet,
		DNSResolvers: []string{pebble.DNSAddr}, DefaultProfile: "shortlived",
	})
	if err != nil {
		return nil, err
	}
	return certs.New(certs.Config{
		Store: fs, Issuer: issuer, DNSProvider: demoDNS{pebble},
		Roots: localCA.pool(), Logger: quiet,
	})
}

// demoNames are obtained one per challenge type, plus a wildcard.
var demoNames = []struct {
	host      string
	challenge certs.ChallengeType
	alt       []string
}{
	{"www.demo.test", certs.ChallengeHTTP01, nil},
	{"alpn.demo.test", certs.ChallengeTLSALPN01, nil},
	{"dns.demo.test", certs.ChallengeDNS01, nil},
	{"*.apps.demo.test", certs.ChallengeDNS01, []string{"apps.demo.test"}},
}

func obtainAll(ctx context.Context, m *certs.Manager, out io.Writer) error {
	for _, n := range demoNames {
		h, err := m.Obtain(ctx, n.host, certs.ObtainOptions{Challenge: n.challenge, AltNames: n.alt})
		if err != nil {
			return fmt.Errorf("obtain %s: %w", n.host, err)
		}
		fmt.Fprintf(out, "obtained ACME certificate for %-18s via %-11s -> %s, SANs %v\n",
			n.host, n.challenge, h.Status, h.ACME.SANs)
	}
	return nil
}

// showFallbacks demonstrates the serving order with real handshakes.
func showFallbacks(ctx context.Context, m *certs.Manager, ca *localCA, addr string, roots *x509.CertPool, out io.Writer) error {
	const host = "www.demo.test"
	certPEM, keyPEM, err := ca.issue(host)
	if err != nil {
		return err
	}
	importCustom := func() error {
		_, err := m.Import(ctx, host, certs.Input{Certificate: certPEM, PrivateKey: keyPEM}, certs.ImportOptions{})
		return err
	}
	steps := []struct {
		what string
		do   func() error
	}{
		{"import a custom certificate for " + host, importCustom},
		{"RemoveCustom", func() error { _, err := m.RemoveCustom(ctx, host); return err }},
		{"import the custom certificate again, then Revoke the ACME one", func() error {
			if err := importCustom(); err != nil {
				return err
			}
			_, err := m.Revoke(ctx, host, certs.ReasonSuperseded)
			return err
		}},
	}
	fmt.Fprintln(out)
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
		line, err := get(ctx, addr, host, roots)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s\n    GET https://%s/ -> %s\n", s.what, host, line)
	}
	for _, sni := range []string{"blog.apps.demo.test", "unknown.demo.test"} {
		line, err := get(ctx, addr, sni, roots)
		if err != nil {
			line = "handshake refused: " + err.Error()
		}
		fmt.Fprintf(out, "GET https://%s/ -> %s\n", sni, line)
	}
	return nil
}

// serveDemo answers the CA's validations and HTTPS on Pebble's loopback ports.
func serveDemo(m *certs.Manager, pebble *pebblecore.Server) *http.Server {
	plain := &http.Server{Handler: m.HTTPHandler(nil), ReadHeaderTimeout: 5 * time.Second}
	go plain.Serve(pebble.HTTPListener)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello from %s", r.TLS.ServerName)
		}),
		TLSConfig:         m.TLSConfig(),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          newDiscardLogger(),
	}
	go srv.ServeTLS(pebble.TLSListener, "", "")
	return srv
}

// demoDNS presents DNS-01 records in the embedded DNS server.
type demoDNS struct{ s *pebblecore.Server }

func (d demoDNS) Present(_ context.Context, r certs.DNSRecord) error {
	d.s.AddTXT(r.FQDN, r.Value)
	return nil
}

func (d demoDNS) CleanUp(_ context.Context, r certs.DNSRecord) error {
	d.s.RemoveTXT(r.FQDN, r.Value)
	return nil
}

// get performs a real HTTPS request with SNI sni against addr and
// describes the certificate the server presented.
func get(ctx context.Context, addr, sni string, roots *x509.CertPool) (string, error) {
	var leaf *x509.Certificate
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{ServerName: sni, RootCAs: roots,
			VerifyConnection: func(cs tls.ConnectionState) error {
				leaf = cs.PeerCertificates[0]
				return nil
			}},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+sni+"/", nil)
	if err != nil {
		return "", err
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return fmt.Sprintf("%s %q, certificate %v issued by %q", resp.Status, body, leaf.DNSNames, leaf.Issuer.CommonName), nil
}

func statusTable(ctx context.Context, m *certs.Manager, out io.Writer) error {
	page, err := m.List(ctx, certs.ListOptions{})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOSTNAME\tSTATUS\tSOURCE\tCERT STATUS\tISSUER\tEXPIRES\tAUTO-RENEW")
	for _, h := range page.Hosts {
		for _, c := range []*certs.Certificate{h.Custom, h.ACME} {
			if c == nil {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%v\n", h.Hostname, h.Status, c.Source, c.Status,
				c.Issuer, c.NotAfter.UTC().Format(time.DateOnly), c.AutoRenew)
		}
	}
	return tw.Flush()
}
