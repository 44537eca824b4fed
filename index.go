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
	exact slot
	wild  slot
	size  int
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
	val    *served
}

// find returns the value stored under key in the branch n, or nil. It
// allocates nothing.
func (n *slot) find(h uint64, key string) *served {
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
func (n *slot) with(shift uint, h uint64, key string, val *served) (slot, bool) {
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
func (b *slot) bucketWith(key string, val *served) (slot, bool) {
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
		n, removed := root.without(0, h, key)
		*root = n
		if removed {
			next.size--
		}
		return &next
	}
	n, added := root.with(0, h, key, e)
	*root = n
	if added {
		next.size++
	}
	return &next
}

func newSnapshot() *snapshot {
	return &snapshot{seed: maphash.MakeSeed()}
}
