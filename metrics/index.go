package metrics

import (
	"encoding/pem"
	"maps"
	"math"
	"sync"
	"sync/atomic"

	"github.com/certs-dev/certs"
)

// leafKey identifies a certificate by the last bytes of its DER encoding,
// which are the last bytes of its signature: unique to each certificate a
// Manager serves (signatures over different contents differ, and ECDSA's
// are random), cheap to take from the certificate crypto/tls is handed
// (no hashing), and small to keep. The same certificate imported as custom
// and obtained as ACME (it cannot be both) would map to the last one seen.
type leafKey [32]byte

// keyOf returns the key of a leaf's DER, false for one too short to be a
// certificate.
func keyOf(der []byte) (leafKey, bool) {
	if len(der) < len(leafKey{}) {
		return leafKey{}, false
	}
	return leafKey(der[len(der)-len(leafKey{}):]), true
}

// keyOfPEM returns the key of the first certificate of a PEM chain.
func keyOfPEM(chain string) (leafKey, bool) {
	b, _ := pem.Decode([]byte(chain))
	if b == nil || b.Type != "CERTIFICATE" {
		return leafKey{}, false
	}
	return keyOf(b.Bytes)
}

// source codes, the index of each source's handshake counter.
const (
	srcUnknown uint8 = iota
	srcCustom
	srcACME
	srcDefault
	srcChallenge
	nSources
)

// sourceNames are the values of certs_handshakes_served_total's source
// label, by code.
var sourceNames = [nSources]string{"unknown", "custom", "acme", "default", "acme_challenge"}

// codeOf is the code of a certificate's source.
func codeOf(src certs.Source) uint8 {
	switch src {
	case certs.SourceCustom:
		return srcCustom
	case certs.SourceACME:
		return srcACME
	}
	return srcUnknown
}

// indexed is what the index knows of a certificate: its source, and the
// sequence number of the event that added it (0 for a collection's).
type indexed struct {
	src uint8
	seq uint64
}

// sources is one immutable state of the index: base as the last collection
// built it, and recent, what events added since. Handshakes read it
// without locks.
type sources struct {
	base, recent map[leafKey]indexed
}

// lookup returns the source code of a served leaf; it allocates nothing.
func (s *sources) lookup(der []byte) uint8 {
	k, ok := keyOf(der)
	if !ok {
		return srcUnknown
	}
	if v, ok := s.base[k]; ok {
		return v.src
	}
	return s.recent[k].src // srcUnknown when absent
}

// sourceIndex maps served certificates to their sources. Writers copy on
// write: an event copies recent, and folds it into a copy of base when it
// grows past about √(2n) entries (n in base), which bounds the copies to
// about 2√(2n) entries per event (a few hundred for 100,000 certificates);
// a collection replaces base. Events are rare next to handshakes (orders,
// imports), and handshakes never wait for writers.
type sourceIndex struct {
	cur atomic.Pointer[sources]
	mu  sync.Mutex // serializes writers
	seq uint64     // events added; under mu
}

func (ix *sourceIndex) init() {
	ix.cur.Store(&sources{base: map[leafKey]indexed{}, recent: map[leafKey]indexed{}})
}

// load returns the current state.
func (ix *sourceIndex) load() *sources { return ix.cur.Load() }

// add records that the certificate whose leaf is in chain (PEM) has src.
func (ix *sourceIndex) add(chain string, src certs.Source) {
	k, ok := keyOfPEM(chain)
	if !ok {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.seq++
	old := ix.cur.Load()
	next := &sources{base: old.base, recent: maps.Clone(old.recent)}
	next.recent[k] = indexed{src: codeOf(src), seq: ix.seq}
	if len(next.recent) > max(64, int(math.Sqrt(float64(2*len(next.base))))) {
		base := maps.Clone(next.base)
		maps.Copy(base, next.recent)
		next = &sources{base: base, recent: map[leafKey]indexed{}}
	}
	ix.cur.Store(next)
}

// mark returns the sequence number of the last event added, taken before a
// collection starts.
func (ix *sourceIndex) mark() uint64 {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.seq
}

// replace makes base the collection's index. What events added after
// mark is kept: the collection may have read those records before the
// change the event reports.
func (ix *sourceIndex) replace(base map[leafKey]indexed, mark uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	old := ix.cur.Load()
	recent := map[leafKey]indexed{}
	for _, m := range []map[leafKey]indexed{old.base, old.recent} {
		for k, v := range m {
			if v.seq > mark {
				recent[k] = v
			}
		}
	}
	ix.cur.Store(&sources{base: base, recent: recent})
}
