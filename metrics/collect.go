package metrics

import (
	"container/heap"
	"context"
	"fmt"
	"time"

	"github.com/certs-dev/certs"
)

// snapshot is the outcome of one collection: what the gauges show until
// the next one. It is immutable once published.
type snapshot struct {
	at       time.Time
	duration time.Duration
	// hosts and certs count hostnames by status, and certificates by
	// status and source.
	hosts map[certs.Status]int
	certs map[statusSource]int
	// series are the certificates that get series of their own; omitted
	// counts the others.
	series  []certSeries
	omitted int
	// pending counts hostnames with an order waiting, rateLimited those
	// the CA rate-limited until later, damaged the records List could not
	// read.
	pending, rateLimited, damaged int
}

type statusSource struct {
	status certs.Status
	source certs.Source
}

// certSeries is one certificate's per-certificate series.
type certSeries struct {
	hostname string
	source   certs.Source
	keyType  string
	notAfter time.Time
	ready    bool
	renewal  *time.Time // ACME certificates that renew themselves
}

// Refresh collects the certificate gauges now: it walks every hostname
// through Manager.List and replaces what the gauges show, and the index
// that tells the source of a served certificate. Concurrent calls (and
// scrapes) wait for each other. On an error the previous collection stays
// in place and certs_collection_errors_total grows.
func (mx *Metrics) Refresh(ctx context.Context) error {
	mx.collectMu.Lock()
	defer mx.collectMu.Unlock()
	return mx.refreshLocked(ctx)
}

func (mx *Metrics) refreshLocked(ctx context.Context) error {
	start := time.Now()
	mx.attempted = start
	mark := mx.index.mark()
	s, base, err := mx.walk(ctx)
	if err != nil {
		mx.counters.collectErrors.Inc()
		return err
	}
	s.at, s.duration = start, time.Since(start)
	mx.index.replace(base, mark)
	mx.snap.Store(s)
	return nil
}

// fresh returns the snapshot a scrape serves: the last one, collected
// anew first when the last attempt is older than Options.MaxAge (a failed
// one too, so that a Store that fails or is slow is walked at most once per
// MaxAge). A scrape that waited for another's collection serves that one.
func (mx *Metrics) fresh() *snapshot {
	if s := mx.snap.Load(); mx.opts.MaxAge < 0 || (s != nil && time.Since(s.at) < mx.opts.MaxAge) {
		return s
	}
	mx.collectMu.Lock()
	defer mx.collectMu.Unlock()
	if time.Since(mx.attempted) < mx.opts.MaxAge {
		return mx.snap.Load()
	}
	ctx, cancel := context.WithTimeout(context.Background(), mx.opts.Timeout)
	defer cancel()
	_ = mx.refreshLocked(ctx) // counted in certs_collection_errors_total
	return mx.snap.Load()
}

// walk reads every hostname, a page at a time in name order (the order
// every Store pages cheaply), and returns the snapshot and source index.
func (mx *Metrics) walk(ctx context.Context) (*snapshot, map[leafKey]indexed, error) {
	s := &snapshot{hosts: map[certs.Status]int{}, certs: map[statusSource]int{}}
	keep := &soonest{max: mx.opts.MaxCertificateSeries}
	base := map[leafKey]indexed{}
	cursor := ""
	for {
		page, err := mx.m.List(ctx, certs.ListOptions{Cursor: cursor, Limit: mx.opts.PageSize, Sort: certs.SortByHostname})
		if err != nil {
			return nil, nil, fmt.Errorf("metrics: collect: %w", err)
		}
		for _, h := range page.Hosts {
			s.addHost(h, keep, base)
		}
		s.damaged += len(page.Damaged)
		if page.NextCursor == "" {
			break
		}
		if page.NextCursor == cursor {
			return nil, nil, fmt.Errorf("metrics: collect: the Store returned the same cursor twice")
		}
		cursor = page.NextCursor
	}
	s.series, s.omitted = keep.kept, keep.dropped
	return s, base, nil
}

// addHost counts a hostname and its certificates.
func (s *snapshot) addHost(h *certs.Host, keep *soonest, base map[leafKey]indexed) {
	s.hosts[h.Status]++
	if h.Pending != nil {
		s.pending++
	}
	if h.RateLimitedUntil != nil && time.Now().Before(*h.RateLimitedUntil) {
		s.rateLimited++
	}
	for _, c := range []*certs.Certificate{h.Custom, h.ACME, h.ACMEAlt} {
		if c == nil {
			continue
		}
		s.certs[statusSource{c.Status, c.Source}]++
		if k, ok := keyOfPEM(c.ChainPEM); ok {
			base[k] = indexed{src: codeOf(c.Source)}
		}
		cs := certSeries{hostname: h.Hostname, source: c.Source, keyType: c.KeyType, notAfter: c.NotAfter,
			ready: c.Status == certs.StatusActive || c.Status == certs.StatusExpiringSoon}
		if c.Source == certs.SourceACME && c.AutoRenew && c.RevokedAt == nil {
			cs.renewal = c.NextRenewalAt
		}
		keep.offer(cs)
	}
}

// soonest keeps the max certificates that expire first (a max-heap on the
// expiry, so that the latest kept is dropped first) and counts the others.
type soonest struct {
	max     int
	kept    []certSeries
	dropped int
}

// Len, Less, Swap, Push and Pop implement heap.Interface, the latest
// expiry on top.
func (q *soonest) Len() int { return len(q.kept) }

// Less implements heap.Interface.
func (q *soonest) Less(i, j int) bool { return later(q.kept[i], q.kept[j]) }

// Swap implements heap.Interface.
func (q *soonest) Swap(i, j int) { q.kept[i], q.kept[j] = q.kept[j], q.kept[i] }

// Push implements heap.Interface.
func (q *soonest) Push(x any) { q.kept = append(q.kept, x.(certSeries)) }

// Pop implements heap.Interface.
func (q *soonest) Pop() any {
	last := q.kept[len(q.kept)-1]
	q.kept = q.kept[:len(q.kept)-1]
	return last
}

// later orders certificates by expiry, then name and source, latest first.
func later(a, b certSeries) bool {
	if !a.notAfter.Equal(b.notAfter) {
		return a.notAfter.After(b.notAfter)
	}
	if a.hostname != b.hostname {
		return a.hostname > b.hostname
	}
	if a.source != b.source {
		return a.source > b.source
	}
	return a.keyType > b.keyType
}

// offer keeps c if it is among the max soonest to expire so far.
func (q *soonest) offer(c certSeries) {
	switch {
	case q.max <= 0:
		q.dropped++
	case len(q.kept) < q.max:
		heap.Push(q, c)
	case later(q.kept[0], c):
		q.kept[0] = c
		heap.Fix(q, 0)
		q.dropped++
	default:
		q.dropped++
	}
}
