package custom

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// corpusInput is one hostile upload of the corpus and what ParseContext
// must answer: want is the typed error, or nil when it is accepted.
type corpusInput struct {
	class, name string
	in          Input
	want        error
}

func (c corpusInput) size() int {
	return len(c.in.Certificate) + len(c.in.PrivateKey) + len(c.in.Chain) + len(c.in.PKCS12) + len(c.in.Password)
}

var (
	corpusOnce sync.Once
	corpus     []corpusInput
)

// hostileCorpus generates, once per test binary, uploads built to make
// parsing slow or large, up to the size limit: see the corpus*Inputs
// functions, one per class.
func hostileCorpus(tb testing.TB) []corpusInput {
	corpusOnce.Do(func() {
		for _, gen := range []func(testing.TB) []corpusInput{
			corpusSizeInputs, corpusChainInputs, corpusKeyInputs, corpusPEMInputs, corpusPKCS12Inputs, corpusASN1Inputs,
		} {
			corpus = append(corpus, gen(tb)...)
		}
	})
	return corpus
}

// TestHostileCorpus checks what every corpus input returns: its typed
// error, or a bundle. How long each takes is BenchmarkHostileCorpus's job.
func TestHostileCorpus(t *testing.T) {
	for _, c := range hostileCorpus(t) {
		t.Run(c.class+"/"+c.name, func(t *testing.T) {
			require.LessOrEqual(t, c.size(), 10<<20+1<<10)
			b, err := ParseContext(context.Background(), c.in, Limits{})
			if c.want == nil {
				require.NoError(t, err)
				require.NotNil(t, b.Leaf)
				return
			}
			require.ErrorIs(t, err, c.want)
			require.LessOrEqual(t, len(err.Error()), maxMessage+3)
		})
	}
}

// BenchmarkHostileCorpus parses every corpus input with the default
// limits. The goal: each is accepted or refused in under 100 ms on the
// development machine (2 cores), allocating (-benchmem B/op, a bound on
// its peak memory) under 10 times its size. alloc/size reports that
// ratio.
//
//	go test -run xxx -bench HostileCorpus -benchmem ./custom
func BenchmarkHostileCorpus(b *testing.B) {
	for _, c := range hostileCorpus(b) {
		b.Run(c.class+"/"+c.name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				_, err := ParseContext(context.Background(), c.in, Limits{})
				if (c.want == nil) != (err == nil) || !errors.Is(err, c.want) {
					b.Fatalf("got %v, want %v", err, c.want)
				}
			}
			runtime.ReadMemStats(&after)
			perOp := float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
			b.ReportMetric(perOp/float64(c.size()), "alloc/size")
			b.ReportMetric(float64(c.size()), "size")
		})
	}
}
