package certs

import (
	"crypto/tls"
	"fmt"
	"runtime"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// benchSizes are the hostname counts of the GetCertificate benchmarks.
var benchSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}, {"1M", 1_000_000}}

// benchManager returns a Manager whose index serves n exact names
// h<i>.example.com and n wildcards *.w<i>.example.com, all with one
// certificate, built directly in the index (no Store I/O).
func benchManager(b *testing.B, n int) (*Manager, []string, *served) {
	b.Helper()
	leaf := testpki.NewCA(b).Leaf(b, []string{"bench.example.com"}, testpki.LeafOptions{})
	tc := leaf.TLSCertificate()
	e := &served{custom: &tc}
	m, err := New(Config{Store: store.NewMemory()})
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, n)
	snap := m.index.Load()
	for i := range names {
		names[i] = fmt.Sprintf("h%d.example.com", i)
		snap = snap.set(names[i], e)
		snap = snap.set(fmt.Sprintf("*.w%d.example.com", i), e)
	}
	m.index.Store(snap.compact()) // as Reload leaves it
	return m, names, e
}

// hellos returns one ClientHelloInfo per name, in a scrambled order so
// that successive lookups do not walk memory sequentially.
func hellos(names []string, name func(i int) string) []*tls.ClientHelloInfo {
	out := make([]*tls.ClientHelloInfo, len(names))
	for i := range names {
		j := (i * 7919) % len(names)
		out[i] = &tls.ClientHelloInfo{ServerName: name(j)}
	}
	return out
}

// BenchmarkGetCertificate measures exact, wildcard and mixed-case hits
// against a bare map lookup with the same names in the same run (the
// floor), at 1k, 100k and 1M hostnames.
func BenchmarkGetCertificate(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			m, names, _ := benchManager(b, size.n)
			floor := make(map[string]*tls.Certificate, len(names))
			for _, n := range names {
				floor[n] = &tls.Certificate{}
			}
			exact := hellos(names, func(i int) string { return names[i] })
			wild := hellos(names, func(i int) string { return fmt.Sprintf("x.w%d.example.com", i) })
			mixed := hellos(names, func(i int) string { return fmt.Sprintf("H%d.Example.COM", i) })
			runtime.GC() // do not bill the set-up's garbage to the first run
			b.Run("map", func(b *testing.B) {
				var sink *tls.Certificate
				for i := 0; b.Loop(); i++ {
					sink = floor[exact[i%len(exact)].ServerName]
				}
				_ = sink
			})
			// For context, not the floor: the same lookup that also reads
			// the value it found, as any real use must.
			b.Run("map+deref", func(b *testing.B) {
				var sink any
				for i := 0; b.Loop(); i++ {
					sink = floor[exact[i%len(exact)].ServerName].PrivateKey
				}
				_ = sink
			})
			for _, c := range []struct {
				name   string
				hellos []*tls.ClientHelloInfo
			}{{"exact", exact}, {"wildcard", wild}, {"mixedcase", mixed}} {
				b.Run(c.name, func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						if _, err := m.GetCertificate(c.hellos[i%len(c.hellos)]); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkIndexUpdate measures replacing what a known hostname serves and
// removing it again (two atomic stores into its cell), at each index size.
func BenchmarkIndexUpdate(b *testing.B) { benchPublish(b, 1024, "new%d.example.com") }

// BenchmarkIndexInsert publishes a hostname the index has never seen and
// removes it again, at each index size: a new cell in the delta trie, plus
// the amortized cost of compacting the delta into the base map (which also
// drops the emptied cells).
func BenchmarkIndexInsert(b *testing.B) { benchPublish(b, 1<<20, "fresh%d.example.net") }

// benchPublish publishes and unpublishes names from a pool of the given
// size, at each index size: a small pool reuses cells, a large one keeps
// adding names the index has not seen.
func benchPublish(b *testing.B, pool int, format string) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			m, _, e := benchManager(b, size.n)
			names := make([]string, pool)
			for i := range names {
				names[i] = fmt.Sprintf(format, i)
			}
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				name := names[i%len(names)]
				m.publish(name, &serving{own: e})
				m.publish(name, nil)
			}
		})
	}
}

// BenchmarkCompact rebuilds the base map of an index of 1M names (2M keys
// with the wildcards): the one-off cost the writer that triggers a
// compaction pays.
func BenchmarkCompact(b *testing.B) {
	m, _, _ := benchManager(b, 1_000_000)
	snap := m.index.Load()
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		_ = snap.compact()
	}
}
