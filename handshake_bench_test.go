package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"runtime"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// BenchmarkHandshake runs full TLS 1.3 handshakes over loopback, through
// the Manager's GetCertificate and through a static tls.Config holding the
// same certificate, in the same run. Session resumption is off, so every
// iteration is a full handshake.
func BenchmarkHandshake(b *testing.B) {
	ca := testpki.NewCA(b)
	leaf := ca.Intermediate(b).Leaf(b, []string{"hs.example.com"}, testpki.LeafOptions{})
	m, err := New(Config{Store: store.NewMemory(), Roots: ca.Pool(), Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := m.Import(context.Background(), "hs.example.com", Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	static := leaf.TLSCertificate()
	configs := []struct {
		name string
		cfg  *tls.Config
	}{
		{"static", &tls.Config{Certificates: []tls.Certificate{static}, MinVersion: tls.VersionTLS13, SessionTicketsDisabled: true}},
		{"manager", &tls.Config{GetCertificate: m.GetCertificate, MinVersion: tls.VersionTLS13, SessionTicketsDisabled: true}},
	}
	client := &tls.Config{ServerName: "hs.example.com", RootCAs: ca.Pool(), MinVersion: tls.VersionTLS13}
	for _, c := range configs {
		b.Run(c.name, func(b *testing.B) {
			addr, stop := handshakeServer(b, c.cfg)
			defer stop()
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

// handshakeServer accepts connections and completes one handshake on each.
func handshakeServer(b *testing.B, cfg *tls.Config) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tc := tls.Server(c, cfg)
			_ = tc.Handshake()
			tc.Close()
		}
	}()
	return ln.Addr().String(), func() { ln.Close(); <-done }
}

// BenchmarkImportRemove imports one hostname and removes it again, with
// 1k, 100k and 1M other hostnames already served, on an in-memory store:
// the cost must stay flat as the index grows. (The other hostnames are
// placed in the index and the store directly, to keep set-up time sane.)
func BenchmarkImportRemove(b *testing.B) {
	ca := testpki.NewCA(b)
	leaf := ca.Intermediate(b).Leaf(b, []string{"new.example.com"}, testpki.LeafOptions{})
	in := Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			m, names, _ := benchManager(b, size.n)
			m.roots = ca.Pool()
			m.log = quietLogger()
			st := m.store.(*store.Memory)
			ctx := context.Background()
			for _, n := range names {
				if err := st.Put(ctx, &store.Record{Name: n, Data: []byte(`{}`)}); err != nil {
					b.Fatal(err)
				}
			}
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := m.Import(ctx, "new.example.com", in, ImportOptions{}); err != nil {
					b.Fatal(err)
				}
				if err := m.Remove(ctx, "new.example.com"); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if got := fmt.Sprint(m.index.Load().size); got != fmt.Sprint(2*size.n) {
				b.Fatalf("index size %s", got)
			}
		})
	}
}
