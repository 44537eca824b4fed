package metrics_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/internal/tlstest"
	"github.com/certs-dev/certs/metrics"
	"github.com/certs-dev/certs/store"
)

// BenchmarkWrapGetCertificate compares the Manager's GetCertificate for
// held names, bare and wrapped (the counting and the source lookup), with
// 1 and 10,000 certificates held. For context, "sha256" is the cost of the
// simple alternative to the wrapper's lookup by the end of the signature:
// hashing the leaf to find it by its SHA-256 fingerprint.
func BenchmarkWrapGetCertificate(b *testing.B) {
	for _, n := range []int{1, 10_000} {
		b.Run(fmt.Sprintf("%d", n), func(b *testing.B) {
			m, hellos := benchManager(b, n)
			mx, err := metrics.New(m, prometheus.NewRegistry(), metrics.Options{MaxAge: -1, Timeout: time.Minute})
			if err != nil {
				b.Fatal(err)
			}
			defer mx.Close()
			for _, c := range []struct {
				name string
				get  func(*tls.ClientHelloInfo) (*tls.Certificate, error)
			}{{"bare", m.GetCertificate}, {"wrapped", mx.WrapGetCertificate(m.GetCertificate)}} {
				b.Run(c.name, func(b *testing.B) {
					runtime.GC()
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						if _, err := c.get(hellos[i%len(hellos)]); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("sha256", func(b *testing.B) {
				c, err := m.GetCertificate(hellos[0])
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					_ = sha256.Sum256(c.Certificate[0])
				}
			})
		})
	}
}

// BenchmarkHandshake runs full TLS 1.3 handshakes over loopback (no
// session resumption) against the Manager's TLSConfig and the Metrics',
// to show what the wrapper costs in a handshake.
func BenchmarkHandshake(b *testing.B) {
	m, hellos := benchManager(b, 1)
	mx, err := metrics.New(m, prometheus.NewRegistry(), metrics.Options{MaxAge: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer mx.Close()
	client := &tls.Config{ServerName: hellos[0].ServerName, InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}
	for _, c := range []struct {
		name string
		cfg  *tls.Config
	}{{"bare", m.TLSConfig()}, {"wrapped", mx.TLSConfig()}} {
		b.Run(c.name, func(b *testing.B) {
			c.cfg.SessionTicketsDisabled = true
			addr := tlstest.Serve(b, c.cfg)
			runtime.GC()
			b.ReportAllocs()
			for b.Loop() {
				conn, err := tls.Dial("tcp", addr, client)
				if err != nil {
					b.Fatal(err)
				}
				conn.Close()
			}
		})
	}
}

// benchManager is a Manager holding n custom certificates, and a hello for
// each.
func benchManager(b *testing.B, n int) (*certs.Manager, []*tls.ClientHelloInfo) {
	b.Helper()
	local, err := certstest.NewLocalCA()
	if err != nil {
		b.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	hellos := make([]*tls.ClientHelloInfo, n)
	for i := range hellos {
		name := fmt.Sprintf("h%d.example.com", i)
		in, err := local.Issue(90*24*time.Hour, name)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Import(context.Background(), name, in, certs.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		hellos[i] = &tls.ClientHelloInfo{ServerName: name}
	}
	return m, hellos
}
