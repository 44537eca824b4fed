package certs

import (
	"crypto/tls"
	"hash/maphash"
	"math/bits"
	"time"
)

// served is what GetCertificate needs for one hostname: the parsed
// certificates, ready to hand to crypto/tls. It is immutable once published.
type served struct {
	custom *tls.Certificate
	acme   *tls.Certificate
	// customNotBefore and customNotAfter bound the custom certificate's
	// validity, so that an expired or not-yet-valid one falls back to ACME.
	customNotBefore, customNotAfter time.Time
}

// snapshot is an immutable view of every served hostname. Exact names and
// wildcards live in separate tries; a wildcard "*.example.com" is keyed by
// "example.com" so that a lookup for "a.example.com" can probe it with a
// substring of the SNI, without allocating.
type snapshot struct {
	seed  maphash.Seed
	exact *node
	wild  *node
	size  int
}

// The index is a persistent hash array mapped trie (HAMT): 32-way nodes
// addressed by 5 bits of a 64-bit hash per level. An update copies only the
// O(log32 n) nodes on the path to the changed leaf, so its cost stays flat
// from a thousand to a million names, and readers holding an older root are
// never disturbed.
const (
	levelBits = 5
	levelMask = 1<<levelBits - 1
)

type node struct {
	bitmap uint32
	slots  []slot
}

// slot holds either a child node or a leaf.
type slot struct {
	child *node
	leaf  *leaf
}

// leaf holds one key; keys whose 64-bit hashes collide are chained.
type leaf struct {
	hash uint64
	key  string
	val  *served
	next *leaf
}

var emptyNode = &node{}

// find returns the value stored under key, or nil. It allocates nothing.
func (n *node) find(h uint64, key string) *served {
	for shift := uint(0); ; shift += levelBits {
		bit := uint32(1) << ((h >> shift) & levelMask)
		if n.bitmap&bit == 0 {
			return nil
		}
		s := &n.slots[bits.OnesCount32(n.bitmap&(bit-1))]
		if s.leaf != nil {
			for l := s.leaf; l != nil; l = l.next {
				if l.hash == h && l.key == key {
					return l.val
				}
			}
			return nil
		}
		n = s.child
	}
}

// with returns a copy of n with key set to val, and whether key was new.
func (n *node) with(shift uint, h uint64, key string, val *served) (*node, bool) {
	bit := uint32(1) << ((h >> shift) & levelMask)
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	if n.bitmap&bit == 0 {
		slots := make([]slot, len(n.slots)+1)
		copy(slots, n.slots[:pos])
		slots[pos] = slot{leaf: &leaf{hash: h, key: key, val: val}}
		copy(slots[pos+1:], n.slots[pos:])
		return &node{bitmap: n.bitmap | bit, slots: slots}, true
	}
	old := n.slots[pos]
	var repl slot
	added := false
	switch {
	case old.child != nil:
		repl.child, added = old.child.with(shift+levelBits, h, key, val)
	case old.leaf.hash == h:
		repl.leaf, added = chainWith(old.leaf, key, val)
	default:
		// Two different hashes share this slot: push both one level down.
		child, _ := emptyNode.withLeaf(shift+levelBits, old.leaf)
		repl.child, added = child.with(shift+levelBits, h, key, val)
	}
	slots := make([]slot, len(n.slots))
	copy(slots, n.slots)
	slots[pos] = repl
	return &node{bitmap: n.bitmap, slots: slots}, added
}

// withLeaf inserts an existing leaf chain (all of one hash) into n.
func (n *node) withLeaf(shift uint, l *leaf) (*node, bool) {
	bit := uint32(1) << ((l.hash >> shift) & levelMask)
	if n.bitmap&bit != 0 {
		panic("certs: index invariant broken") // n is always empty here
	}
	return &node{bitmap: bit, slots: []slot{{leaf: l}}}, true
}

func chainWith(l *leaf, key string, val *served) (*leaf, bool) {
	if l == nil {
		return nil, false
	}
	if l.key == key {
		return &leaf{hash: l.hash, key: key, val: val, next: l.next}, false
	}
	next, added := chainWith(l.next, key, val)
	if next == nil {
		return &leaf{hash: l.hash, key: l.key, val: l.val, next: &leaf{hash: l.hash, key: key, val: val}}, true
	}
	return &leaf{hash: l.hash, key: l.key, val: l.val, next: next}, added
}

// without returns a copy of n with key removed (nil when n becomes empty),
// and whether key was present.
func (n *node) without(shift uint, h uint64, key string) (*node, bool) {
	bit := uint32(1) << ((h >> shift) & levelMask)
	if n.bitmap&bit == 0 {
		return n, false
	}
	pos := bits.OnesCount32(n.bitmap & (bit - 1))
	old := n.slots[pos]
	var repl slot
	if old.child != nil {
		child, removed := old.child.without(shift+levelBits, h, key)
		if !removed {
			return n, false
		}
		if child != nil && len(child.slots) == 1 && child.slots[0].leaf != nil {
			repl.leaf = child.slots[0].leaf // collapse a lone leaf upwards
		} else {
			repl.child = child
		}
	} else {
		chain, removed := chainWithout(old.leaf, h, key)
		if !removed {
			return n, false
		}
		repl.leaf = chain
	}
	if repl.child == nil && repl.leaf == nil {
		if len(n.slots) == 1 {
			return nil, true
		}
		slots := make([]slot, len(n.slots)-1)
		copy(slots, n.slots[:pos])
		copy(slots[pos:], n.slots[pos+1:])
		return &node{bitmap: n.bitmap &^ bit, slots: slots}, true
	}
	slots := make([]slot, len(n.slots))
	copy(slots, n.slots)
	slots[pos] = repl
	return &node{bitmap: n.bitmap, slots: slots}, true
}

func chainWithout(l *leaf, h uint64, key string) (*leaf, bool) {
	if l == nil || l.hash != h {
		return l, false
	}
	if l.key == key {
		return l.next, true
	}
	next, removed := chainWithout(l.next, h, key)
	if !removed {
		return l, false
	}
	return &leaf{hash: l.hash, key: l.key, val: l.val, next: next}, true
}

// lookup finds the entry for an already lowercased SNI name: the exact name
// first, then the wildcard one label up. It allocates nothing.
func (s *snapshot) lookup(name string) *served {
	if e := s.exact.find(maphash.String(s.seed, name), name); e != nil {
		return e
	}
	for i := 1; i < len(name); i++ { // a wildcard never matches an empty label
		if name[i] == '.' {
			parent := name[i+1:]
			return s.wild.find(maphash.String(s.seed, parent), parent)
		}
	}
	return nil
}

// set returns a new snapshot with hostname served by e (nil removes it).
func (s *snapshot) set(hostname string, e *served) *snapshot {
	next := *s
	key, root := hostname, &next.exact
	if len(hostname) > 2 && hostname[0] == '*' && hostname[1] == '.' {
		key, root = hostname[2:], &next.wild
	}
	h := maphash.String(s.seed, key)
	if e == nil {
		n, removed := (*root).without(0, h, key)
		if n == nil {
			n = emptyNode
		}
		*root = n
		if removed {
			next.size--
		}
		return &next
	}
	n, added := (*root).with(0, h, key, e)
	*root = n
	if added {
		next.size++
	}
	return &next
}

func newSnapshot() *snapshot {
	return &snapshot{seed: maphash.MakeSeed(), exact: emptyNode, wild: emptyNode}
}
