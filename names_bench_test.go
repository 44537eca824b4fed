package certs

import (
	"crypto/tls"
	"fmt"
	"runtime"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// furtherBench is an index of n records r<i>.example.com, each serving two
// further names www.r<i>.example.com and api.r<i>.example.com, built as
// Reload builds it (through the claim index, no Store I/O).
func furtherBench(b *testing.B, n int) (*Manager, *serving) {
	b.Helper()
	leaf := testpki.NewCA(b).Leaf(b, []string{"bench.example.com"}, testpki.LeafOptions{})
	tc := leaf.TLSCertificate()
	m, err := New(Config{Store: store.NewMemory()})
	if err != nil {
		b.Fatal(err)
	}
	snap := m.index.Load()
	warn := func(string, string) { b.Fatal("conflict") }
	for i := range n {
		host := fmt.Sprintf("r%d.example.com", i)
		snap = m.claims.apply(snap, host, furtherServing(host, &tc, "www", "api"), warn)
	}
	m.index.Store(snap.compact())
	return m, furtherServing("new.example.com", &tc, "www", "api")
}

// furtherServing serves tc for host and the given labels below it.
func furtherServing(host string, tc *tls.Certificate, labels ...string) *serving {
	sv := &serving{own: &served{host: host, custom: tc}, extra: map[string]*served{}}
	for _, l := range labels {
		sv.extra[l+"."+host] = &served{host: host, custom: tc}
	}
	return sv
}

// BenchmarkFurtherNames measures what further names cost: a handshake
// lookup of a further name against one of a record's own name (the same
// index, so the same cost), and publishing then unpublishing a record with
// two further names against one without (the claim bookkeeping).
func BenchmarkFurtherNames(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1k", 1_000}, {"100k", 100_000}} {
		b.Run(size.name, func(b *testing.B) {
			m, sv := furtherBench(b, size.n)
			own := hellos(make([]string, size.n), func(i int) string { return fmt.Sprintf("r%d.example.com", i) })
			further := hellos(make([]string, size.n), func(i int) string { return fmt.Sprintf("www.r%d.example.com", i) })
			runtime.GC()
			for _, c := range []struct {
				name   string
				hellos []*tls.ClientHelloInfo
			}{{"lookup-own", own}, {"lookup-further", further}} {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						if _, err := m.GetCertificate(c.hellos[i%len(c.hellos)]); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("publish-plain", func(b *testing.B) {
				plain := &serving{own: sv.own}
				b.ReportAllocs()
				for b.Loop() {
					m.publish("new.example.com", plain)
					m.publish("new.example.com", nil)
				}
			})
			b.Run("publish-2-further", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m.publish("new.example.com", sv)
					m.publish("new.example.com", nil)
				}
			})
		})
	}
}

// BenchmarkFurtherNamesMemory reports the heap held per record: records
// with two further names against records without any.
func BenchmarkFurtherNamesMemory(b *testing.B) {
	const n = 100_000
	for _, labels := range [][]string{nil, {"www", "api"}} {
		b.Run(fmt.Sprintf("further=%d", len(labels)), func(b *testing.B) {
			leaf := testpki.NewCA(b).Leaf(b, []string{"bench.example.com"}, testpki.LeafOptions{})
			tc := leaf.TLSCertificate()
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				var x claimIndex
				snap := newSnapshot()
				for i := range n {
					host := fmt.Sprintf("r%d.example.com", i)
					snap = x.apply(snap, host, furtherServing(host, &tc, labels...), func(string, string) {})
				}
				snap = snap.compact()
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "B/record")
				runtime.KeepAlive(snap)
				runtime.KeepAlive(&x)
			}
		})
	}
}
