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
	"github.com/certs-dev/certs/store"
)

// demo shows the Manager end to end on loopback: a local CA, a custom
// certificate imported through the Manager, HTTPS served with the
// Manager's GetCertificate, and real handshakes.
func demo(ctx context.Context, out io.Writer) error {
	dir, err := os.MkdirTemp("", "certs-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fs, err := store.NewFS(dir)
	if err != nil {
		return err
	}
	ca, err := newLocalCA()
	if err != nil {
		return err
	}
	m, err := certs.New(certs.Config{
		Store:  fs,
		Roots:  ca.pool(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "store: %s\n", dir)

	hosts := []string{"app.demo.test", "*.apps.demo.test"}
	for _, h := range hosts {
		certPEM, keyPEM, err := ca.issue(h)
		if err != nil {
			return err
		}
		if _, err := m.Import(ctx, h, certs.Input{Certificate: certPEM, PrivateKey: keyPEM}); err != nil {
			return err
		}
		fmt.Fprintf(out, "imported custom certificate for %s\n", h)
	}

	addr, shutdown, err := serveHTTPS(m)
	if err != nil {
		return err
	}
	defer shutdown()
	fmt.Fprintf(out, "serving HTTPS on %s\n\n", addr)

	for _, sni := range []string{"app.demo.test", "blog.apps.demo.test", "unknown.demo.test"} {
		line, err := get(ctx, addr, sni, ca.pool())
		if err != nil {
			fmt.Fprintf(out, "GET https://%s/ -> handshake refused: %v\n", sni, err)
			continue
		}
		fmt.Fprintf(out, "GET https://%s/ -> %s\n", sni, line)
	}
	fmt.Fprintln(out)
	return statusTable(ctx, m, out)
}

func serveHTTPS(m *certs.Manager) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello from %s", r.TLS.ServerName)
		}),
		TLSConfig:         m.TLSConfig(),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          nil,
	}
	srv.ErrorLog = newDiscardLogger()
	go srv.ServeTLS(ln, "", "")
	return ln.Addr().String(), func() { srv.Close() }, nil
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
	fmt.Fprintln(tw, "HOSTNAME\tSTATUS\tSOURCE\tISSUER\tEXPIRES\tDAYS")
	for _, h := range page.Hosts {
		for _, c := range []*certs.Certificate{h.Custom, h.ACME} {
			if c == nil {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", h.Hostname, c.Status, c.Source, c.Issuer,
				c.NotAfter.UTC().Format(time.DateOnly), c.DaysUntilExpiry)
		}
	}
	return tw.Flush()
}
