package pgstore

import "sync"

// maxCachedTotals bounds the selection counts kept: selections come from
// users, so the cache is dropped whole when it is full.
const maxCachedTotals = 1024

// totalCache keeps the latest count of each selection (Filter and Labels)
// with the change feed position it was taken at: it is exact as long as
// the position has not moved (the feed's positions are in commit order, so
// an unchanged position means unchanged rows). It is safe for concurrent
// use.
type totalCache struct {
	mu sync.Mutex
	m  map[string]selectionCount
}

// get returns the latest count of a selection, if any.
func (c *totalCache) get(key string) (selectionCount, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e, ok
}

// put caches a count of a selection.
func (c *totalCache) put(key string, e selectionCount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTotals {
		c.m = make(map[string]selectionCount)
	}
	c.m[key] = e
}
