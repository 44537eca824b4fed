package certs

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIndexMatchesMap drives the persistent trie with random sets and
// removals and checks it against a plain map after every step, including
// that older snapshots are not changed by later updates.
func TestIndexMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	snap := newSnapshot()
	model := map[string]*served{}
	names := make([]string, 3000)
	for i := range names {
		names[i] = fmt.Sprintf("h%d.example.com", i)
	}
	compactions := 0
	for step := 0; step < 20000; step++ {
		before := snap.deltaN
		name := names[rng.IntN(len(names))]
		if rng.IntN(3) == 0 {
			snap = snap.set(name, nil)
			delete(model, name)
		} else {
			e := &served{}
			snap = snap.set(name, e)
			model[name] = e
		}
		if snap.deltaN < before {
			compactions++
		}
		if step%1000 == 0 {
			for _, n := range names {
				require.Same(t, model[n], lookupEntry(snap, n), n)
			}
		}
	}
	require.Equal(t, len(model), snap.size)
	for _, n := range names {
		require.Same(t, model[n], lookupEntry(snap, n), n)
	}
	require.Positive(t, compactions, "the delta was compacted into the base")
}

// TestIndexHashCollisions forces every key onto one hash so that the
// collision chains are exercised.
func TestIndexHashCollisions(t *testing.T) {
	var root slot
	vals := map[string]*cell{}
	for i := 0; i < 50; i++ {
		k := fmt.Sprintf("k%d", i)
		vals[k] = &cell{}
		var added bool
		root, added = root.with(0, 42, k, vals[k])
		require.True(t, added)
	}
	for k, v := range vals {
		require.Same(t, v, root.find(42, k))
	}
	for i := 0; i < 50; i += 2 {
		k := fmt.Sprintf("k%d", i)
		var removed bool
		root, removed = root.without(0, 42, k)
		require.True(t, removed)
		delete(vals, k)
	}
	for i := 0; i < 50; i++ {
		k := fmt.Sprintf("k%d", i)
		if v, ok := vals[k]; ok {
			require.Same(t, v, root.find(42, k))
		} else {
			require.Nil(t, root.find(42, k))
		}
	}
}

func TestIndexWildcardAndExact(t *testing.T) {
	exact, wild := &served{}, &served{}
	s := newSnapshot().set("a.example.com", exact).set("*.example.com", wild)
	tests := []struct {
		sni  string
		want *served
	}{
		{"a.example.com", exact},
		{"b.example.com", wild},
		{"example.com", nil},
		{"x.b.example.com", nil}, // a wildcard covers exactly one label
		{"", nil},
		{".example.com", nil},
	}
	for _, tc := range tests {
		t.Run(tc.sni, func(t *testing.T) {
			require.Same(t, tc.want, lookupEntry(s, tc.sni))
		})
	}
	s = s.set("*.example.com", nil)
	require.Nil(t, lookupEntry(s, "b.example.com"))
	require.Equal(t, 1, s.size)
}

func TestIndexEmptyAfterRemovingAll(t *testing.T) {
	s := newSnapshot()
	for i := 0; i < 100; i++ {
		s = s.set(fmt.Sprint("n", i, ".test"), &served{})
	}
	for i := 0; i < 100; i++ {
		s = s.set(fmt.Sprint("n", i, ".test"), nil)
	}
	require.Equal(t, 0, s.size)
	for _, c := range s.compact().base {
		require.False(t, c.empty(), "compaction drops empty cells")
	}
	require.Empty(t, s.compact().base)
}

// lookupEntry returns the entry lookup found for name (the test entries
// hold no certificate, so lookup never short-cuts to one).
func lookupEntry(s *snapshot, name string) *served {
	_, e := s.lookup(name)
	return e
}
