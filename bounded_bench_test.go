package certs

import (
	"crypto/tls"
	"fmt"
	"runtime"
	"testing"

	"github.com/certs-dev/certs/store"
)

// boundedSizes are the stored hostname counts of BenchmarkBounded;
// CERTS_BENCH_1M=1 adds a million (see startupSizes).
func boundedSizes() []int { return startupSizes() }

// BenchmarkBounded measures a Manager holding at most 1,000 of n stored
// hostnames (Config.MaxLoadedHostnames): New and the heap it keeps per
// stored hostname ("startup"), a handshake lookup of a held name ("hit",
// against the same lookup with every record held), and one of a name not
// held, which reads its record from the memory store and evicts
// ("load").
func BenchmarkBounded(b *testing.B) {
	const held = 1000
	for _, n := range boundedSizes() {
		st := store.NewMemory()
		fillStore(b, st, n)
		name := func(i int) string { return fmt.Sprintf("h%07d.example.com", i) }
		b.Run(fmt.Sprintf("%dk/startup", n/1000), func(b *testing.B) {
			benchBoundedNew(b, st, n, held)
		})
		b.Run(fmt.Sprintf("%dk/hit", n/1000), func(b *testing.B) {
			m := boundedManager(b, st, held)
			hs := warm(b, m, held, name)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := m.GetCertificate(hs[i%len(hs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%dk/hit-unbounded", n/1000), func(b *testing.B) {
			m := boundedManager(b, st, 0)
			hs := warm(b, m, held, name)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := m.GetCertificate(hs[i%len(hs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%dk/load", n/1000), func(b *testing.B) {
			m := boundedManager(b, st, held)
			hs := hellos(make([]string, n), func(i int) string { return name(i) })
			b.ResetTimer()
			for i := 0; b.Loop(); i++ { // a name not held for the first n/held rounds of held
				if _, err := m.GetCertificate(hs[i%len(hs)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func boundedManager(b *testing.B, st Store, max int) *Manager {
	b.Helper()
	m, err := New(Config{Store: st, Logger: quietLogger(), MaxLoadedHostnames: max})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// warm serves the first count names once (so that they are held) and
// returns their hellos, scrambled.
func warm(b *testing.B, m *Manager, count int, name func(int) string) []*tls.ClientHelloInfo {
	b.Helper()
	hs := hellos(make([]string, count), name)
	for _, h := range hs {
		if _, err := m.GetCertificate(h); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	return hs
}

func benchBoundedNew(b *testing.B, st Store, n, max int) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	var m *Manager
	for b.Loop() {
		var err error
		if m, err = New(Config{Store: st, Logger: quietLogger(), MaxLoadedHostnames: max}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if _, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: fmt.Sprintf("h%07d.example.com", n-1)}); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heapB/host")
	runtime.KeepAlive(m)
}
