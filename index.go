package certs

import (
	"crypto/tls"
	"hash/maphash"
	"math/bits"
	"sync/atomic"
	"time"
)

// served is what GetCertificate needs for one hostname: the parsed
// certificates, ready to hand to crypto/tls. It is immutable once published.
type served struct {
	// host is the hostname of the record that serves these certificates
	// (the name itself, or the record that covers it as a further name).
	host   string
	custom *tls.Certificate
	acme   *tls.Certificate
	// acmeAlt is the ACME certificate of the other key family (Host.
	// ACMEAlt), for clients that cannot use acme.
	acmeAlt *tls.Certificate
	// customNotBefore and customNotAfter bound the custom certificate's
	// validity, so that an expired or not-yet-valid one falls back to ACME.
	customNotBefore, customNotAfter time.Time
	// customUnstapled marks a Must-Staple custom certificate without an
	// OCSP response to staple: it falls back to ACME too (see ocsp.go).
	customUnstapled bool
	// With Config.MaxLoadedHostnames (bounded.go): stub marks a name whose
	// record is stored but not held in memory (host is the record to
	// load), and use is the last-use tick of a held record, shared by the
	// entries of all its names.
	stub bool
	use  *atomic.Uint64
}

// snapshot is the serving index: what GetCertificate needs for every
// hostname, read without locks.
//
// Names live in cells. A cell holds, with atomic pointers, what is served
// for a name and for the wildcard one label below it ("*.example.com" is
// the wild half of the cell for "example.com", so that a lookup for
// "a.example.com" can probe its parent with a substring of the SNI, without
// allocating). Replacing or removing the certificate of a known name is one
// atomic store into its cell: in-flight handshakes keep the certificate they
// already have, new ones see the new one, and nothing is copied.
//
// Cells are found through base, a plain Go map that is never modified once
// published (so a lookup costs one map probe), and delta, a persistent hash
// trie holding the cells of names added since base was built. Adding a name
// copies only the O(log32 n) trie path to it; when delta reaches 1/16 of
// base, compact builds a new base from both, so that loading n names one by
// one costs O(n) in total (about 17 map insertions per name), never O(n^2).
type snapshot struct {
	seed   maphash.Seed
	base   map[string]*cell
	delta  slot // root branch of the trie of *cell
	deltaN int
	size   int // served names (exact and wildcard); written by writers only
}

// cell holds what is served for one key. Its pointers are swapped
// atomically; a nil pointer serves nothing. exactOne and wildOne hold the
// certificate itself when there is only one to serve (no choice to make),
// which saves the handshake a pointer chase in the common case.
type cell struct {
	exact, wild       atomic.Pointer[served]
	exactOne, wildOne atomic.Pointer[tls.Certificate]
}

// only returns the certificate of e when it holds exactly one.
func (e *served) only() *tls.Certificate {
	switch {
	case e == nil:
		return nil
	case e.acmeAlt != nil:
		return nil
	case e.acme == nil:
		return e.custom
	case e.custom == nil:
		return e.acme
	}
	return nil
}

// storeServed serves e through ptr and one. A reader between the two stores sees
// either the old or the new state of the name, never another name's.
func storeServed(ptr *atomic.Pointer[served], one *atomic.Pointer[tls.Certificate], e *served) *served {
	single := e.only()
	if single == nil {
		one.Store(nil) // before ptr: never serve a stale single certificate
		return ptr.Swap(e)
	}
	old := ptr.Swap(e)
	one.Store(single)
	return old
}

func (c *cell) empty() bool { return c.exact.Load() == nil && c.wild.Load() == nil }

// minCompact is the smallest delta worth compacting.
const minCompact = 1024

func newSnapshot() *snapshot {
	return &snapshot{seed: maphash.MakeSeed(), base: map[string]*cell{}}
}

// cellFor returns the cell of key, or nil. It allocates nothing.
func (s *snapshot) cellFor(key string) *cell {
	if c := s.base[key]; c != nil || s.deltaN == 0 {
		return c
	}
	return s.deltaCell(key)
}

// deltaCell looks key up in the trie of recently added names (kept out of
// cellFor so that cellFor inlines).
func (s *snapshot) deltaCell(key string) *cell {
	return s.delta.find(maphash.String(s.seed, key), key)
}

// lookup finds what to serve for an already lowercased SNI name: the exact
// name first, then the wildcard one label up. When a single certificate is
// served it returns that certificate as one (the common case, no choice to
// make); otherwise the entry to choose from. It allocates nothing.
func (s *snapshot) lookup(name string) (one *tls.Certificate, e *served) {
	if c := s.cellFor(name); c != nil {
		if one := c.exactOne.Load(); one != nil {
			return one, nil
		}
		if e := c.exact.Load(); e != nil {
			return nil, e
		}
	}
	for i := 1; i < len(name); i++ { // a wildcard never matches an empty label
		if name[i] == '.' {
			if c := s.cellFor(name[i+1:]); c != nil {
				if one := c.wildOne.Load(); one != nil {
					return one, nil
				}
				return nil, c.wild.Load()
			}
			return nil, nil
		}
	}
	return nil, nil
}

// get returns what is served for hostname under its own key (exact, or the
// wild half for "*.name"), or nil. It is for writers and Explain.
func (s *snapshot) get(hostname string) *served {
	key, wild := splitWild(hostname)
	c := s.cellFor(key)
	switch {
	case c == nil:
		return nil
	case wild:
		return c.wild.Load()
	}
	return c.exact.Load()
}

// resolve is lookup for Explain: it also returns the index key that
// matched ("a.example.com" or "*.example.com").
func (s *snapshot) resolve(name string) (*served, string) {
	e, parent := s.find(name)
	switch {
	case e == nil:
		return nil, ""
	case parent > 0:
		return e, "*." + name[parent:]
	}
	return e, name
}

// find is lookup without the single-certificate shortcut: the entry that
// serves name, and where the parent name starts in name when the wildcard
// one label up matched (0 for an exact match). It allocates nothing.
func (s *snapshot) find(name string) (*served, int) {
	if c := s.cellFor(name); c != nil {
		if e := c.exact.Load(); e != nil {
			return e, 0
		}
	}
	for i := 1; i < len(name); i++ {
		if name[i] == '.' {
			if c := s.cellFor(name[i+1:]); c != nil {
				if e := c.wild.Load(); e != nil {
					return e, i + 1
				}
			}
			return nil, 0
		}
	}
	return nil, 0
}

// splitWild maps "*.example.com" to ("example.com", true) and any other
// name to itself.
func splitWild(hostname string) (string, bool) {
	if len(hostname) > 2 && hostname[0] == '*' && hostname[1] == '.' {
		return hostname[2:], true
	}
	return hostname, false
}

// set serves e for hostname (nil stops serving it) and returns the snapshot
// to publish: s itself when the name already had a cell, else a snapshot
// with the new cell in delta (or a compacted one). Callers serialize set.
func (s *snapshot) set(hostname string, e *served) *snapshot {
	key, wild := splitWild(hostname)
	c := s.cellFor(key)
	if c == nil && e == nil {
		return s
	}
	next := s
	if c == nil {
		c = &cell{}
		cp := *s
		cp.delta, _ = s.delta.with(0, maphash.String(s.seed, key), key, c)
		cp.deltaN++
		next = &cp
	}
	ptr, one := &c.exact, &c.exactOne
	if wild {
		ptr, one = &c.wild, &c.wildOne
	}
	switch old := storeServed(ptr, one, e); {
	case old == nil && e != nil:
		next.size++
	case old != nil && e == nil:
		next.size--
	}
	if next.deltaN > max(minCompact, len(next.base)/16) {
		return next.compact()
	}
	return next
}

// compact returns a snapshot whose base holds every non-empty cell of s and
// whose delta is empty. The cells themselves are shared, not copied.
func (s *snapshot) compact() *snapshot {
	base := make(map[string]*cell, len(s.base)+s.deltaN)
	for k, c := range s.base {
		if !c.empty() {
			base[k] = c
		}
	}
	s.delta.each(func(k string, c *cell) {
		if !c.empty() {
			base[k] = c
		}
	})
	return &snapshot{seed: s.seed, base: base, size: s.size}
}

// each calls fn for every key in the trie below branch n.
func (n *slot) each(fn func(string, *cell)) {
	for i := range n.kids {
		k := &n.kids[i]
		if k.val != nil {
			fn(k.key, k.val)
		} else {
			k.each(fn)
		}
	}
}

// The index is a persistent hash array mapped trie (HAMT): 32-way branches
// addressed by 5 bits of a 64-bit hash per level. An update copies only the
// O(log32 n) branches on the path to the changed key, so its cost grows with
// the depth of the trie, not with the number of names, and readers holding
// an older root are never disturbed.
//
// A slot is one of:
//   - a leaf: val != nil, holding hash, key and val inline (no extra pointer
//     to chase on a hit);
//   - a branch: bitmap != 0, kids holding one slot per set bit;
//   - a collision bucket: val == nil, bitmap == 0, kids holding the leaves
//     whose 64-bit hashes are equal;
//   - empty: the zero slot (only ever a root).
//
// Keeping bitmap and kids in the parent's slot makes each level one
// dependent memory access.
const (
	levelBits = 5
	levelMask = 1<<levelBits - 1
)

type slot struct {
	kids   []slot
	bitmap uint32
	hash   uint64
	key    string
	val    *cell
}

// find returns the value stored under key in the branch n, or nil. It
// allocates nothing.
func (n *slot) find(h uint64, key string) *cell {
	kids, bitmap := n.kids, n.bitmap
	for shift := uint(0); ; shift += levelBits {
		bit := uint32(1) << ((h >> shift) & levelMask)
		if bitmap&bit == 0 {
			return nil
		}
		s := &kids[bits.OnesCount32(bitmap&(bit-1))]
		if s.val != nil {
			if s.hash == h && s.key == key {
				return s.val
			}
			return nil
		}
		if s.bitmap == 0 { // collision bucket
			for i := range s.kids {
				if s.kids[i].key == key {
					return s.kids[i].val
				}
			}
			return nil
		}
		kids, bitmap = s.kids, s.bitmap
	}
}

// with returns a copy of branch n with key set to val, and whether key was
// new. n itself is not modified.
func (n *slot) with(shift uint, h uint64, key string, val *cell) (slot, bool) {
	bit := uint32(1) << ((h >> shift) & levelMask)
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	if n.bitmap&bit == 0 {
		kids := make([]slot, len(n.kids)+1)
		copy(kids, n.kids[:pos])
		kids[pos] = slot{hash: h, key: key, val: val}
		copy(kids[pos+1:], n.kids[pos:])
		return slot{kids: kids, bitmap: n.bitmap | bit}, true
	}
	old := &n.kids[pos]
	var repl slot
	added := true
	switch {
	case old.val != nil && old.key == key:
		repl, added = slot{hash: h, key: key, val: val}, false
	case old.val != nil && old.hash == h:
		repl = slot{kids: []slot{*old, {hash: h, key: key, val: val}}}
	case old.val != nil:
		// Two different hashes share this slot: push the old leaf one level
		// down and insert beside it.
		child := slot{kids: []slot{*old}, bitmap: uint32(1) << ((old.hash >> (shift + levelBits)) & levelMask)}
		repl, added = child.with(shift+levelBits, h, key, val)
	case old.bitmap == 0:
		repl, added = old.bucketWith(key, val)
	default:
		repl, added = old.with(shift+levelBits, h, key, val)
	}
	kids := make([]slot, len(n.kids))
	copy(kids, n.kids)
	kids[pos] = repl
	return slot{kids: kids, bitmap: n.bitmap}, added
}

// bucketWith returns a copy of collision bucket b with key set to val.
func (b *slot) bucketWith(key string, val *cell) (slot, bool) {
	kids := make([]slot, len(b.kids), len(b.kids)+1)
	copy(kids, b.kids)
	for i := range kids {
		if kids[i].key == key {
			kids[i].val = val
			return slot{kids: kids}, false
		}
	}
	return slot{kids: append(kids, slot{hash: b.kids[0].hash, key: key, val: val})}, true
}

// without returns a copy of branch n with key removed (the zero slot when
// nothing is left), and whether key was present.
func (n *slot) without(shift uint, h uint64, key string) (slot, bool) {
	bit := uint32(1) << ((h >> shift) & levelMask)
	if n.bitmap&bit == 0 {
		return *n, false
	}
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	old := &n.kids[pos]
	var repl slot
	switch {
	case old.val != nil:
		if old.hash != h || old.key != key {
			return *n, false
		}
	case old.bitmap == 0:
		var removed bool
		if repl, removed = old.bucketWithout(key); !removed {
			return *n, false
		}
	default:
		child, removed := old.without(shift+levelBits, h, key)
		if !removed {
			return *n, false
		}
		repl = child
		if len(child.kids) == 1 && (child.kids[0].val != nil || child.kids[0].bitmap == 0) {
			repl = child.kids[0] // collapse a lone leaf or bucket upwards
		}
	}
	if repl.val == nil && len(repl.kids) == 0 {
		if len(n.kids) == 1 {
			return slot{}, true
		}
		kids := make([]slot, len(n.kids)-1)
		copy(kids, n.kids[:pos])
		copy(kids[pos:], n.kids[pos+1:])
		return slot{kids: kids, bitmap: n.bitmap &^ bit}, true
	}
	kids := make([]slot, len(n.kids))
	copy(kids, n.kids)
	kids[pos] = repl
	return slot{kids: kids, bitmap: n.bitmap}, true
}

// bucketWithout returns collision bucket b without key: a leaf when one
// entry is left.
func (b *slot) bucketWithout(key string) (slot, bool) {
	for i := range b.kids {
		if b.kids[i].key != key {
			continue
		}
		if len(b.kids) == 2 {
			return b.kids[1-i], true
		}
		kids := make([]slot, 0, len(b.kids)-1)
		kids = append(kids, b.kids[:i]...)
		kids = append(kids, b.kids[i+1:]...)
		return slot{kids: kids}, true
	}
	return *b, false
}
