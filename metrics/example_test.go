package metrics_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/metrics"
	"github.com/certs-dev/certs/store"
)

// ExampleNew exports a Manager's metrics at /metrics and counts the
// handshakes its TLS listener serves. In a server:
//
//	mux.Handle("/metrics", mx.Handler())
//	srv := &http.Server{Addr: ":443", TLSConfig: mx.TLSConfig()}
func ExampleNew() {
	ctx := context.Background()
	local, err := certstest.NewLocalCA() // signs a certificate to import
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		log.Fatal(err)
	}
	in, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.Import(ctx, "shop.example.com", in, certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}

	reg := prometheus.NewRegistry()
	mx, err := metrics.New(m, reg, metrics.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer mx.Close()
	// What a TLS listener on mx.TLSConfig() does for each handshake.
	getCert := mx.WrapGetCertificate(m.GetCertificate)
	_, _ = getCert(&tls.ClientHelloInfo{ServerName: "shop.example.com"})
	_, _ = getCert(&tls.ClientHelloInfo{ServerName: "nobody.example.com"})

	srv := httptest.NewServer(mx.Handler())
	defer srv.Close()
	printSamples(srv.URL,
		`certs_certificates{source="custom",status="active"}`,
		`certs_handshakes_served_total{source="custom"}`,
		`certs_handshakes_missed_total{reason="unknown_host"}`,
		`certs_certificate_expiry_timestamp_seconds{hostname="shop.example.com"`)
	// Output:
	// certs_certificate_expiry_timestamp_seconds{hostname="shop.example.com",key_type="ecdsa",source="custom"} (a date)
	// certs_certificates{source="custom",status="active"} 1
	// certs_handshakes_missed_total{reason="unknown_host"} 1
	// certs_handshakes_served_total{source="custom"} 1
}

// ExampleWrapDecide counts the answers of an on-demand policy. Decide is
// part of the Manager's Config, so it is wrapped first, with the registry
// New is given next.
func ExampleWrapDecide() {
	ca, stop, err := certstest.Run() // an ACME CA in this process
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		log.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	decide, err := metrics.WrapDecide(reg, certs.AllowSuffixes("shops.example.net"))
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss, Logger: slog.New(slog.DiscardHandler),
		OnDemand: &certs.OnDemandConfig{Decide: decide}})
	if err != nil {
		log.Fatal(err)
	}
	mx, err := metrics.New(m, reg, metrics.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer mx.Close()
	getCert := mx.WrapGetCertificate(m.GetCertificate)
	_, err = getCert(&tls.ClientHelloInfo{ServerName: "scanner.example.org"})
	fmt.Println(err != nil)

	srv := httptest.NewServer(mx.Handler())
	defer srv.Close()
	printSamples(srv.URL, `certs_on_demand_decisions_total`, `certs_handshakes_missed_total{reason="on_demand_denied"}`)
	// Output:
	// true
	// certs_handshakes_missed_total{reason="on_demand_denied"} 1
	// certs_on_demand_decisions_total{decision="allowed"} 0
	// certs_on_demand_decisions_total{decision="denied"} 1
}

// printSamples prints the exposition lines of url that start with one of
// prefixes (timestamps shown as "(a date)").
func printSamples(url string, prefixes ...string) {
	resp, err := http.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				if strings.Contains(line, "_timestamp_seconds") {
					line = line[:strings.LastIndexByte(line, ' ')] + " (a date)"
				}
				fmt.Println(line)
			}
		}
	}
}
