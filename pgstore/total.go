package pgstore

import "sync"

// maxCachedTotals bounds the selected totals kept: selections come from
// users, so the cache is dropped whole when it is full.
const maxCachedTotals = 1024

// totalCache keeps the exact number of records a selection (its count
// query and arguments) matches, with
// the change feed position it was counted at: it stays right until the
// next write to a record moves the position (the feed's positions are in
// commit order, so an unchanged position means unchanged rows). It is
// safe for concurrent use.
type totalCache struct {
	mu sync.Mutex
	m  map[string]cachedTotal
}

type cachedTotal struct {
	seq int64
	n   int
}

// get returns the count of a selection at position seq, if cached.
func (c *totalCache) get(key string, seq int64) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e.n, ok && e.seq == seq
}

// put caches the count n of a selection at position seq.
func (c *totalCache) put(key string, seq int64, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTotals {
		c.m = make(map[string]cachedTotal)
	}
	c.m[key] = cachedTotal{seq, n}
}
