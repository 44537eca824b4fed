package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// startupSizes are the stored hostname counts of BenchmarkStartup; set
// CERTS_BENCH_1M=1 to add a million (it takes minutes and several GB; on
// the filesystem store about 8 GB of disk and a quarter of an hour to
// fill).
func startupSizes() []int {
	sizes := []int{10_000, 100_000}
	if os.Getenv("CERTS_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	return sizes
}

// fillWriters is how many goroutines fillStore writes with: the
// filesystem store fsyncs every record, and parallel writers share the
// journal's commits.
const fillWriters = 32

// fillStore stores n hostnames, each with one custom certificate and key,
// as Import would (the same certificate for all: start-up does not check
// names), through st's Put from fillWriters goroutines.
func fillStore(b *testing.B, st Store, n int) {
	b.Helper()
	leaf := testpki.NewCA(b).Leaf(b, []string{"bench.example.com"}, testpki.LeafOptions{})
	facts, chain, keys := factsOf(leaf), string(leaf.ChainPEM()), keyring{SourceCustom: leaf.KeyPEM()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	for range fillWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				name := startupName(i)
				h := &Host{Hostname: name, Custom: &Certificate{Source: SourceCustom, Facts: facts, ChainPEM: chain, Names: []string{name}}}
				rec, err := encodeRecord(h, keys)
				if err == nil {
					err = st.Put(ctx, rec)
				}
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
}

// startupName is the hostname fillStore stores as its i-th.
func startupName(i int) string { return fmt.Sprintf("h%07d.example.com", i) }

// BenchmarkStartup measures, on the memory and the filesystem store at
// each size: New (every stored hostname read, decoded, its key parsed and
// indexed) and the heap it keeps per hostname; and, with BackgroundLoad,
// opening the store as a starting process would (store.NewFS; nothing for
// the memory store) plus New plus the first handshake lookup of a stored
// name. Each store is filled once for both. pgstore has the same benchmark
// on PostgreSQL.
func BenchmarkStartup(b *testing.B) {
	kinds := []struct {
		name string
		// make returns an empty store and a function that opens it again,
		// as a new process would, and one that removes it.
		make func(b *testing.B) (st Store, open func(*testing.B) Store, remove func())
	}{
		{"memory", func(*testing.B) (Store, func(*testing.B) Store, func()) {
			st := store.NewMemory()
			return st, func(*testing.B) Store { return st }, func() {}
		}},
		{"fs", func(b *testing.B) (Store, func(*testing.B) Store, func()) {
			dir, err := os.MkdirTemp("", "startup-bench-")
			if err != nil {
				b.Fatal(err)
			}
			open := func(b *testing.B) Store {
				st, err := store.NewFS(dir)
				if err != nil {
					b.Fatal(err)
				}
				return st
			}
			return open(b), open, func() { removeFS(dir) }
		}},
	}
	for _, kind := range kinds {
		for _, n := range startupSizes() {
			// Filled at the first sub-benchmark that runs (none may, with
			// -bench selecting others), removed after both.
			var (
				st     Store
				open   func(*testing.B) Store
				remove = func() {}
			)
			filled := func(b *testing.B) Store {
				if st == nil {
					st, open, remove = kind.make(b)
					fillStore(b, st, n)
					if fs, ok := st.(*store.FS); ok {
						ageHostDirs(b, fs.Dir())
					}
				}
				return st
			}
			name := fmt.Sprintf("%s/%dk", kind.name, n/1000)
			b.Run(name, func(b *testing.B) { benchNew(b, filled(b), n) })
			b.Run(name+"/background", func(b *testing.B) {
				filled(b)
				benchBackground(b, func() (Store, func()) { return open(b), func() {} }, startupName(n-1))
			})
			st = nil
			remove()
		}
	}
}

// ageHostDirs dates the host directories of the filesystem store in dir
// (hosts/<name>, see store/fspath.go) an hour back, as in a store at
// rest: the sweep of crash leftovers that store.NewFS starts (in the
// background, alongside the Manager's load) skips directories younger
// than a minute as being written, and would do less work on a freshly
// filled store than on one a process restarts on.
func ageHostDirs(b *testing.B, dir string) {
	b.Helper()
	hosts := filepath.Join(dir, "hosts")
	entries, err := os.ReadDir(hosts)
	if err != nil {
		b.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	for _, e := range entries {
		if err := os.Chtimes(filepath.Join(hosts, e.Name()), past, past); err != nil {
			b.Fatal(err)
		}
	}
}

// removeFS removes the filesystem store in dir, a host directory at a
// time: os.RemoveAll reopens a directory and reads it from its start
// after every 1,024 entries it removes, which ran for over ten minutes on
// the hosts directory of a million.
func removeFS(dir string) {
	hosts := filepath.Join(dir, "hosts")
	entries, _ := os.ReadDir(hosts)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(hosts, e.Name()))
	}
	os.RemoveAll(dir)
}

// benchNew measures New on st, which holds n hostnames, and the heap the
// Manager keeps per hostname.
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
	if d := m.Damaged(); len(d) > 0 {
		b.Fatalf("%d damaged records, the first: %v", len(d), d[0].Err)
	}
	if _, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: startupName(n - 1)}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "heapB/host")
	runtime.KeepAlive(m)
}

// benchBackground measures how soon a stored name is servable after a
// start: opening the store (open returns it and a function closing it),
// New with BackgroundLoad and the first handshake lookup of name. It also
// reports the opening alone (open-ns/op) and, untimed, how long the
// background load took to end (loaded-ns/op, from New).
func benchBackground(b *testing.B, open func() (Store, func()), name string) {
	b.Helper()
	hello := &tls.ClientHelloInfo{ServerName: name}
	var opening, loading time.Duration
	for b.Loop() {
		start := time.Now()
		st, closeStore := open()
		opened := time.Now()
		opening += opened.Sub(start)
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
		loading += time.Since(opened)
		closeStore()
		b.StartTimer()
	}
	b.ReportMetric(float64(opening.Nanoseconds())/float64(b.N), "open-ns/op")
	b.ReportMetric(float64(loading.Nanoseconds())/float64(b.N), "loaded-ns/op")
}
