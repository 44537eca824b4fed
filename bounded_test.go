package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// getCounter counts the records read one by one (Get): the loads a
// bounded Manager does for handshakes. delay, when set, slows every Get.
type getCounter struct {
	Store
	delay time.Duration
	mu    sync.Mutex
	gets  map[string]int
}

func (s *getCounter) Get(ctx context.Context, name string) (*store.Record, error) {
	s.mu.Lock()
	if s.gets == nil {
		s.gets = map[string]int{}
	}
	s.gets[name]++
	s.mu.Unlock()
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	return s.Store.Get(ctx, name)
}

func (s *getCounter) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets[name]
}

func (s *getCounter) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.gets {
		n += c
	}
	return n
}

// boundedEnv stores hostnames through a fixture's Manager, then serves them
// with a second Manager that holds at most max of them in memory.
type boundedEnv struct {
	f      *fixture
	st     *getCounter
	m      *Manager
	leaves map[string]*testpki.Leaf
}

func newBoundedEnv(t *testing.T, hosts, max int) *boundedEnv {
	t.Helper()
	f := newFixture(t)
	env := &boundedEnv{f: f, leaves: map[string]*testpki.Leaf{}}
	for i := range hosts {
		host := fmt.Sprintf("b%02d.example.com", i)
		env.leaves[host] = f.leaf([]string{host}, testpki.LeafOptions{})
		f.importLeaf(host, env.leaves[host])
	}
	env.st = &getCounter{Store: f.store}
	env.m = env.newManager(t, max)
	return env
}

func (env *boundedEnv) newManager(t *testing.T, max int) *Manager {
	m, err := New(Config{Store: env.st, Roots: env.f.ca.Pool(), Logger: quietLogger(), MaxLoadedHostnames: max})
	require.NoError(t, err)
	return m
}

// held returns the hostnames m holds in memory and checks that the index
// serves real certificates for those records only.
func held(t *testing.T, m *Manager) map[string]bool {
	t.Helper()
	m.indexMu.Lock()
	defer m.indexMu.Unlock()
	out := map[string]bool{}
	for h := range m.bounded.held {
		out[h] = true
	}
	snap := m.index.Load()
	check := func(key string, c *cell) {
		for _, e := range []*served{c.exact.Load(), c.wild.Load()} {
			if e != nil && !e.stub {
				require.True(t, out[e.host], "%s serves a certificate of %s, which is not held", key, e.host)
			}
		}
	}
	for k, c := range snap.base {
		check(k, c)
	}
	snap.delta.each(check)
	return out
}

func (env *boundedEnv) serve(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	return env.m.GetCertificate(hello)
}

// TestBoundedServesEveryStoredName: with 40 stored hostnames and room for
// 8, real handshakes for every name (twice over) get that name's
// certificate, and never more than 8 records are held.
func TestBoundedServesEveryStoredName(t *testing.T) {
	env := newBoundedEnv(t, 40, 8)
	require.Empty(t, held(t, env.m), "New holds nothing: handshakes load what they need")
	require.Zero(t, env.st.total(), "New reads the Store in one scan, not record by record")
	addr := tlsServer(t, env.m.TLSConfig())
	for round := range 2 {
		for host, l := range env.leaves {
			got, err := handshake(t, addr, host, env.f.ca.Pool())
			require.NoError(t, err, "round %d: %s", round, host)
			require.Equal(t, l.Cert.Raw, got.Raw, "round %d: %s", round, host)
			require.LessOrEqual(t, len(held(t, env.m)), 8)
		}
	}
	require.Greater(t, env.st.total(), 40, "names evicted in the first round are loaded again")
	_, err := handshake(t, addr, "stranger.example.com", env.f.ca.Pool())
	require.Error(t, err)
}

// TestBoundedLoadsOncePerName: 50 handshakes at once for a name not held
// wait for one read of its record.
func TestBoundedLoadsOncePerName(t *testing.T) {
	env := newBoundedEnv(t, 3, 2)
	env.st.delay = 50 * time.Millisecond
	want := env.leaves["b01.example.com"].Cert.Raw
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := env.serve(&tls.ClientHelloInfo{ServerName: "b01.example.com"})
			if err == nil && string(c.Certificate[0]) != string(want) {
				err = fmt.Errorf("wrong certificate")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, env.st.count("b01.example.com"))
}

// TestBoundedEvictsLeastRecentlyUsed: with room for 3, the record used
// least recently is the one dropped for a fourth, and only it is read
// again.
func TestBoundedEvictsLeastRecentlyUsed(t *testing.T) {
	env := newBoundedEnv(t, 4, 3)
	get := func(host string) {
		t.Helper()
		_, err := env.serve(&tls.ClientHelloInfo{ServerName: host})
		require.NoError(t, err, host)
	}
	for _, h := range []string{"b00", "b01", "b02", "b00"} { // b01 is now the least recent
		get(h + ".example.com")
	}
	get("b03.example.com")
	require.Equal(t, map[string]bool{"b00.example.com": true, "b02.example.com": true, "b03.example.com": true}, held(t, env.m))
	get("b00.example.com")
	get("B02.Example.COM") // mixed case finds the held record too
	require.Equal(t, 1, env.st.count("b00.example.com"), "held: served from memory")
	require.Equal(t, 1, env.st.count("b02.example.com"), "held: served from memory")
	get("b01.example.com")
	require.Equal(t, 2, env.st.count("b01.example.com"), "evicted: read again")
}

// TestBoundedUnknownNamesReadNothing: a name nothing stores is refused from
// memory, without a Store read, however many handshakes ask for it.
func TestBoundedUnknownNamesReadNothing(t *testing.T) {
	env := newBoundedEnv(t, 5, 2)
	for i := range 100 {
		_, err := env.serve(&tls.ClientHelloInfo{ServerName: fmt.Sprintf("x%d.b00.example.com", i)})
		require.ErrorIs(t, err, ErrUnknownHost)
	}
	require.Zero(t, env.st.total())
}

// TestBoundedFurtherNamesAndWildcards: a further name loads the record
// covering it, a wildcard serves the names below it, and a name's own
// record comes before the record covering it even when only the covering
// one is held.
func TestBoundedFurtherNamesAndWildcards(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cover := f.leaf([]string{"app.example.com", "www.example.com", "api.example.com"}, testpki.LeafOptions{})
	_, err := f.m.Import(ctx, "app.example.com", input(cover), ImportOptions{AllNames: true})
	require.NoError(t, err)
	own := f.leaf([]string{"api.example.com"}, testpki.LeafOptions{})
	f.importLeaf("api.example.com", own)
	wild := f.leaf([]string{"*.w.example.com"}, testpki.LeafOptions{})
	f.importLeaf("*.w.example.com", wild)

	st := &getCounter{Store: f.store}
	m, err := New(Config{Store: st, Roots: f.ca.Pool(), Logger: quietLogger(), MaxLoadedHostnames: 1})
	require.NoError(t, err)
	addr := tlsServer(t, m.TLSConfig())
	requireServes(t, f, addr, map[string]*testpki.Leaf{"www.example.com": cover}, "nothing.example.com")
	require.Equal(t, map[string]bool{"app.example.com": true}, held(t, m))
	requireServes(t, f, addr, map[string]*testpki.Leaf{"api.example.com": own})
	requireServes(t, f, addr, map[string]*testpki.Leaf{"x.w.example.com": wild, "app.example.com": cover}, "a.b.w.example.com")
	require.Equal(t, 2, st.count("app.example.com"))
	require.Equal(t, 1, st.count("*.w.example.com"))

	ex, err := m.Explain(ctx, "y.w.example.com")
	require.NoError(t, err)
	require.Equal(t, "*.w.example.com", ex.Hostname)
}

// TestBoundedWrites: imports, removals and changes made by another
// process through the shared Store are served by a bounded Manager, and
// the limit holds through them.
func TestBoundedWrites(t *testing.T) {
	env := newBoundedEnv(t, 3, 2)
	ctx := context.Background()
	addr := tlsServer(t, env.m.TLSConfig())
	fresh := map[string]*testpki.Leaf{}
	for i := range 4 {
		host := fmt.Sprintf("new%d.example.com", i)
		fresh[host] = env.f.leaf([]string{host}, testpki.LeafOptions{})
		_, err := env.m.Import(ctx, host, input(fresh[host]), ImportOptions{})
		require.NoError(t, err)
		require.LessOrEqual(t, len(held(t, env.m)), 2)
	}
	requireServes(t, env.f, addr, fresh)
	require.NoError(t, env.m.Remove(ctx, "new0.example.com"))
	require.NoError(t, env.m.Remove(ctx, "b00.example.com"))
	requireServes(t, env.f, addr, nil, "new0.example.com", "b00.example.com")

	// Another process (the fixture's Manager) stores and removes names.
	other := env.f.leaf([]string{"other.example.com"}, testpki.LeafOptions{})
	env.f.importLeaf("other.example.com", other)
	require.NoError(t, env.f.m.Remove(ctx, "b01.example.com"))
	for _, n := range []string{"other.example.com", "b01.example.com"} {
		require.NoError(t, env.m.ReloadHostname(ctx, n))
	}
	requireServes(t, env.f, addr, map[string]*testpki.Leaf{"other.example.com": other, "b02.example.com": env.leaves["b02.example.com"]},
		"b01.example.com")
	require.LessOrEqual(t, len(held(t, env.m)), 2)
}

// TestBoundedHitAllocatesNothing: a handshake for a held name, lower or
// mixed case, allocates nothing.
func TestBoundedHitAllocatesNothing(t *testing.T) {
	env := newBoundedEnv(t, 2, 2)
	for _, sni := range []string{"b00.example.com", "B00.Example.com."} {
		hello := &tls.ClientHelloInfo{ServerName: sni}
		_, err := env.serve(hello)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(100, func() {
			if c, err := env.serve(hello); err != nil || c == nil {
				panic(err)
			}
		})
		require.Zero(t, allocs, sni)
	}
}
