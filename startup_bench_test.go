package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// startupSizes are the stored hostname counts of BenchmarkStartup; set
// CERTS_BENCH_1M=1 to add a million (it takes minutes and several GB).
func startupSizes() []int {
	sizes := []int{10_000, 100_000}
	if os.Getenv("CERTS_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

// fillStore stores n hostnames, each with one custom certificate and key,
// as Import would (the same certificate for all: start-up does not check
// names).
func fillStore(b *testing.B, st Store, n int) {
	b.Helper()
	leaf := testpki.NewCA(b).Leaf(b, []string{"bench.example.com"}, testpki.LeafOptions{})
	h := &Host{Custom: &Certificate{Source: SourceCustom, Facts: factsOf(leaf), ChainPEM: string(leaf.ChainPEM())}}
	ctx := context.Background()
	for i := range n {
		h.Hostname = fmt.Sprintf("h%07d.example.com", i)
		h.Custom.Names = []string{h.Hostname}
		rec, err := encodeRecord(h, keyring{SourceCustom: leaf.KeyPEM()})
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Put(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartup measures New (every stored hostname read, decoded, its
// key parsed and indexed) and the heap it keeps per hostname, on the memory
// store at each size and on the filesystem store at 10k.
func BenchmarkStartup(b *testing.B) {
	for _, n := range startupSizes() {
		b.Run(fmt.Sprintf("memory/%dk", n/1000), func(b *testing.B) {
			st := store.NewMemory()
			fillStore(b, st, n)
			benchNew(b, st, n)
		})
	}
	for _, n := range startupSizes() {
		b.Run(fmt.Sprintf("memory/%dk/background", n/1000), func(b *testing.B) {
			st := store.NewMemory()
			fillStore(b, st, n)
			benchBackground(b, st, n)
		})
	}
	b.Run("fs/10k", func(b *testing.B) {
		st, err := store.NewFS(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		fillStore(b, st, 10_000)
		benchNew(b, st, 10_000)
	})
}

func benchNew(b *testing.B, st Store, n int) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	var m *Manager
	for b.Loop() {
		var err error
		if m, err = New(Config{Store: st, Logger: quietLogger()}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heapB/host")
	runtime.KeepAlive(m)
}

// benchBackground measures New with BackgroundLoad plus the first
// handshake lookup of the last stored name: how soon a name is servable.
func benchBackground(b *testing.B, st Store, n int) {
	b.Helper()
	hello := &tls.ClientHelloInfo{ServerName: fmt.Sprintf("h%07d.example.com", n-1)}
	for b.Loop() {
		m, err := New(Config{Store: st, Logger: quietLogger(), BackgroundLoad: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.GetCertificate(hello); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := m.Loaded(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
