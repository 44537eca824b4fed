package certs

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
	"github.com/stretchr/testify/require"
)

// fixture is a Manager on a real filesystem store with a private CA that
// the Manager trusts.
type fixture struct {
	t     *testing.T
	m     *Manager
	store Store
	ca    *testpki.CA
	inter *testpki.CA
	clock *fakeClock
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newFixture(t *testing.T, mod ...func(*Config)) *fixture {
	t.Helper()
	fs, err := store.NewFS(t.TempDir())
	require.NoError(t, err)
	ca := testpki.NewCA(t)
	f := &fixture{t: t, store: fs, ca: ca, inter: ca.Intermediate(t), clock: &fakeClock{now: time.Now()}}
	cfg := Config{Store: fs, Roots: ca.Pool(), Clock: f.clock.Now, Logger: quietLogger()}
	for _, fn := range mod {
		fn(&cfg)
	}
	f.m, err = New(cfg)
	require.NoError(t, err)
	return f
}

// leaf issues a certificate from the fixture's intermediate.
func (f *fixture) leaf(names []string, opts testpki.LeafOptions) *testpki.Leaf {
	return f.inter.Leaf(f.t, names, opts)
}

func input(l *testpki.Leaf) Input {
	return Input{Certificate: l.ChainPEM(), PrivateKey: l.KeyPEM()}
}

func (f *fixture) importLeaf(host string, l *testpki.Leaf) *Host {
	f.t.Helper()
	h, err := f.m.Import(context.Background(), host, input(l), ImportOptions{})
	require.NoError(f.t, err)
	return h
}

// putACME stores an ACME certificate for host as if an issuer had obtained
// it (the issuance path has its own tests).
func (f *fixture) putACME(host string, l *testpki.Leaf) {
	f.t.Helper()
	keyPEM := l.KeyPEM()
	now := f.clock.Now()
	_, err := f.m.update(context.Background(), host, true, func(h *Host, keys keyring) error {
		h.ACME = &Certificate{Source: SourceACME, Facts: factsOf(l), ChainPEM: string(l.ChainPEM()),
			CreatedAt: now, UpdatedAt: now, AutoRenew: true}
		h.ACMERequested = true
		keys[SourceACME] = keyPEM
		return nil
	})
	require.NoError(f.t, err)
}

func (f *fixture) served(host string) *tls.Certificate {
	c, err := f.m.GetCertificate(&tls.ClientHelloInfo{ServerName: host})
	if err != nil {
		return nil
	}
	return c
}

func (f *fixture) storedRecord(host string) []byte {
	rec, err := f.store.Get(context.Background(), host)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	require.NoError(f.t, err)
	b, err := json.Marshal(struct {
		R *store.Record
		S map[string][]byte
	}{rec, rec.Secrets})
	require.NoError(f.t, err)
	return b
}

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"negative expiring window", Config{Store: store.NewMemory(), ExpiringWithin: -time.Hour}},
		{"negative max SANs", Config{Store: store.NewMemory(), MaxSANs: -1}},
		{"default cert without key", Config{Store: store.NewMemory(), DefaultCertificate: &tls.Certificate{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

func TestNewDefaultsToFSStore(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dir)
	m, err := New(Config{})
	require.NoError(t, err)
	f := &fixture{t: t, m: m, ca: testpki.NewCA(t)}
	f.inter = f.ca.Intermediate(t)
	l := f.leaf([]string{"default.example.com"}, testpki.LeafOptions{})
	_, err = m.Import(context.Background(), "default.example.com", input(l), ImportOptions{})
	// The test CA is not in the system roots: the import succeeds with an
	// incomplete_chain warning and lands under $XDG_DATA_HOME/certs.
	require.NoError(t, err)
	entries, err := os.ReadDir(filepath.Join(dir, "certs"))
	require.NoError(t, err)
	require.NotEmpty(t, entries)
}

func TestImportGetServe(t *testing.T) {
	f := newFixture(t)
	l := f.leaf([]string{"app.example.com", "www.example.com"}, testpki.LeafOptions{})
	h := f.importLeaf("App.Example.com.", l)
	require.Equal(t, "app.example.com", h.Hostname)
	require.Equal(t, StatusActive, h.Status)
	require.NotNil(t, h.Custom)
	require.Equal(t, []string{"app.example.com", "www.example.com"}, h.Custom.SANs)
	require.Equal(t, l.Cert.NotAfter.UTC(), h.Custom.NotAfter.UTC())
	require.Equal(t, "ecdsa", h.Custom.KeyType)
	require.Equal(t, 256, h.Custom.KeyBits)
	require.NotEmpty(t, h.Custom.FingerprintSHA256)
	require.Greater(t, h.Custom.DaysUntilExpiry, 80)

	got, err := f.m.Get(context.Background(), "APP.example.com")
	require.NoError(t, err)
	require.Equal(t, h.Custom.FingerprintSHA256, got.Custom.FingerprintSHA256)

	c := f.served("app.example.com")
	require.NotNil(t, c)
	require.Equal(t, l.Cert.Raw, c.Leaf.Raw)

	// A second Manager on the same store serves it after loading.
	m2, err := New(Config{Store: f.store})
	require.NoError(t, err)
	c2, err := m2.GetCertificate(&tls.ClientHelloInfo{ServerName: "app.example.com"})
	require.NoError(t, err)
	require.Equal(t, l.Cert.Raw, c2.Leaf.Raw)
}

func TestGetUnknownIsNotFound(t *testing.T) {
	f := newFixture(t)
	_, err := f.m.Get(context.Background(), "nope.example.com")
	require.ErrorIs(t, err, ErrNotFound)
	_, err = f.m.GetCertificate(&tls.ClientHelloInfo{ServerName: "nope.example.com"})
	require.ErrorIs(t, err, ErrUnknownHost)
}

func TestStatusVocabulary(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	tests := []struct {
		name string
		opts testpki.LeafOptions
		want Status
		days int
	}{
		{"active", testpki.LeafOptions{NotAfter: now.Add(90 * 24 * time.Hour)}, StatusActive, 89},
		{"expiring soon", testpki.LeafOptions{NotAfter: now.Add(10*24*time.Hour + time.Hour)}, StatusExpiringSoon, 10},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := fmt.Sprintf("s%d.example.com", i)
			h := f.importLeaf(host, f.leaf([]string{host}, tc.opts))
			require.Equal(t, tc.want, h.Status)
			require.Equal(t, tc.days, h.Custom.DaysUntilExpiry)
			st, err := f.m.Status(context.Background(), host)
			require.NoError(t, err)
			require.Equal(t, tc.want, st.Status)
			require.Equal(t, SourceCustom, st.Source)
		})
	}
	// Time passes: the same record turns expired, derived from the clock.
	f.clock.Add(91 * 24 * time.Hour)
	h, err := f.m.Get(context.Background(), "s0.example.com")
	require.NoError(t, err)
	require.Equal(t, StatusExpired, h.Status)
	require.Less(t, h.Custom.DaysUntilExpiry, 0)
}

func TestListFilterSortCursor(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	for i := 0; i < 7; i++ {
		host := fmt.Sprintf("h%d.list.test", i)
		f.importLeaf(host, f.leaf([]string{host}, testpki.LeafOptions{NotAfter: now.Add(time.Duration(60-i) * 24 * time.Hour)}))
	}
	f.importLeaf("other.example.com", f.leaf([]string{"other.example.com"}, testpki.LeafOptions{}))

	page, err := f.m.List(context.Background(), ListOptions{Filter: "list.test", Limit: 3, Sort: SortByExpiry})
	require.NoError(t, err)
	require.Equal(t, 7, page.Total)
	require.Len(t, page.Hosts, 3)
	require.Equal(t, "h6.list.test", page.Hosts[0].Hostname)
	var all []string
	for _, h := range page.Hosts {
		all = append(all, h.Hostname)
	}
	for page.NextCursor != "" {
		page, err = f.m.List(context.Background(), ListOptions{Filter: "list.test", Limit: 3, Sort: SortByExpiry, Cursor: page.NextCursor})
		require.NoError(t, err)
		for _, h := range page.Hosts {
			all = append(all, h.Hostname)
		}
	}
	require.Equal(t, []string{"h6.list.test", "h5.list.test", "h4.list.test", "h3.list.test", "h2.list.test", "h1.list.test", "h0.list.test"}, all)

	page, err = f.m.List(context.Background(), ListOptions{Sort: SortByHostname, Desc: true, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, 8, page.Total)
	require.Equal(t, "other.example.com", page.Hosts[0].Hostname)
}

func TestRemoveVariants(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	host := "both.example.com"
	custom := f.leaf([]string{host}, testpki.LeafOptions{})
	acme := f.leaf([]string{host}, testpki.LeafOptions{})
	f.importLeaf(host, custom)
	f.putACME(host, acme)
	require.Equal(t, custom.Cert.Raw, f.served(host).Leaf.Raw)

	// RemoveCustom: ACME keeps serving, the hostname stays.
	h, err := f.m.RemoveCustom(ctx, host)
	require.NoError(t, err)
	require.Nil(t, h.Custom)
	require.NotNil(t, h.ACME)
	require.Equal(t, acme.Cert.Raw, f.served(host).Leaf.Raw)

	// Import again, then RemoveACME: custom keeps serving.
	f.importLeaf(host, custom)
	h, err = f.m.RemoveACME(ctx, host)
	require.NoError(t, err)
	require.False(t, h.ACMERequested)
	require.Nil(t, h.ACME)
	require.Equal(t, custom.Cert.Raw, f.served(host).Leaf.Raw)

	// Remove: everything goes; removing again is not an error.
	require.NoError(t, f.m.Remove(ctx, host))
	require.Nil(t, f.served(host))
	_, err = f.m.Get(ctx, host)
	require.ErrorIs(t, err, ErrNotFound)
	require.NoError(t, f.m.Remove(ctx, host))
	_, err = f.m.RemoveCustom(ctx, host)
	require.ErrorIs(t, err, ErrNotFound)
}

func TestInUseGuard(t *testing.T) {
	ctx := context.Background()
	inUse := map[string]bool{"busy.example.com": true}
	var mu sync.Mutex
	f := newFixture(t, func(c *Config) {
		c.InUse = func(_ context.Context, host string) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			return inUse[host], nil
		}
	})
	host := "busy.example.com"
	l := f.leaf([]string{host}, testpki.LeafOptions{})
	f.importLeaf(host, l)
	before := f.storedRecord(host)

	require.ErrorIs(t, f.m.Remove(ctx, host), ErrInUse)
	_, err := f.m.RemoveCustom(ctx, host)
	require.ErrorIs(t, err, ErrInUse)
	require.Equal(t, before, f.storedRecord(host), "refused removal changed the store")
	require.NotNil(t, f.served(host))

	// With an ACME certificate to fall back on, removing the custom one
	// leaves something to serve: the guard is not asked.
	f.putACME(host, f.leaf([]string{host}, testpki.LeafOptions{}))
	_, err = f.m.RemoveCustom(ctx, host)
	require.NoError(t, err)

	mu.Lock()
	inUse[host] = false
	mu.Unlock()
	require.NoError(t, f.m.Remove(ctx, host))
}

func TestPEMDownloadsAndPrivateKey(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	host := "pem.example.com"
	l := f.leaf([]string{host}, testpki.LeafOptions{})
	f.importLeaf(host, l)

	full, err := f.m.PEM(ctx, host, SourceCustom, PEMFullChain)
	require.NoError(t, err)
	require.Equal(t, string(l.ChainPEM()), string(full))
	leaf, err := f.m.PEM(ctx, host, SourceCustom, PEMLeaf)
	require.NoError(t, err)
	require.Equal(t, string(l.CertPEM()), string(leaf))
	chain, err := f.m.PEM(ctx, host, SourceCustom, PEMChain)
	require.NoError(t, err)
	require.Equal(t, string(l.IntermediatesPEM()), string(chain))

	key, err := f.m.PrivateKey(ctx, host, SourceCustom)
	require.NoError(t, err)
	_, err = tls.X509KeyPair(full, key)
	require.NoError(t, err)

	_, err = f.m.PEM(ctx, host, SourceACME, PEMLeaf)
	require.ErrorIs(t, err, ErrNoCertificateForSource)
	_, err = f.m.PrivateKey(ctx, host, "other")
	require.ErrorIs(t, err, ErrInvalidSource)
	_, err = f.m.PEM(ctx, host, SourceCustom, "bogus")
	require.ErrorIs(t, err, ErrInvalidPEMKind)
}

func TestExportCertbotLayout(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	host := "export.example.com"
	l := f.leaf([]string{host}, testpki.LeafOptions{})
	f.importLeaf(host, l)
	dir := filepath.Join(t.TempDir(), "live", host)
	require.NoError(t, f.m.Export(ctx, host, dir))

	files := map[string]os.FileMode{"privkey.pem": 0o600, "cert.pem": 0o644, "chain.pem": 0o644, "fullchain.pem": 0o644}
	for name, perm := range files {
		st, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		require.Equal(t, perm, st.Mode().Perm(), name)
	}
	full, err := os.ReadFile(filepath.Join(dir, "fullchain.pem"))
	require.NoError(t, err)
	key, err := os.ReadFile(filepath.Join(dir, "privkey.pem"))
	require.NoError(t, err)
	_, err = tls.X509KeyPair(full, key)
	require.NoError(t, err)
	cert, err := os.ReadFile(filepath.Join(dir, "cert.pem"))
	require.NoError(t, err)
	require.Equal(t, string(l.CertPEM()), string(cert))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 4, "no temp files left behind")

	require.ErrorIs(t, f.m.Export(ctx, "missing.example.com", dir), ErrNotFound)
}

func TestEvents(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var mu sync.Mutex
	var got []string
	unsub := f.m.Subscribe(func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%s %s %s", ev.Type, ev.Hostname, ev.Source))
	})
	host := "events.example.com"
	f.importLeaf(host, f.leaf([]string{host}, testpki.LeafOptions{}))
	soon := f.clock.Now().Add(5 * 24 * time.Hour)
	f.importLeaf(host, f.leaf([]string{host}, testpki.LeafOptions{NotAfter: soon}))
	_, err := f.m.RemoveCustom(ctx, host)
	require.NoError(t, err)
	require.NoError(t, f.m.Remove(ctx, host))
	unsub()
	unsub() // idempotent
	f.importLeaf(host, f.leaf([]string{host}, testpki.LeafOptions{}))

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{
		"imported events.example.com custom",
		"imported events.example.com custom",
		"expiring events.example.com custom",
		"removed events.example.com custom",
		"removed events.example.com ",
	}, got)
}

func TestIssuanceStubs(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.m.Obtain(ctx, "a.example.com", ObtainOptions{})
	require.ErrorIs(t, err, ErrNoIssuer)
	_, err = f.m.Renew(ctx, "a.example.com", RenewOptions{})
	require.ErrorIs(t, err, ErrNoIssuer)
	_, err = f.m.Revoke(ctx, "a.example.com", ReasonKeyCompromise)
	require.ErrorIs(t, err, ErrNoIssuer)
	_, err = f.m.Revoke(ctx, "a.example.com", 2)
	require.ErrorIs(t, err, ErrInvalidReason)
	_, err = f.m.Obtain(ctx, "bad/name", ObtainOptions{})
	require.ErrorIs(t, err, ErrInvalidHostname)
}

func TestTwoManagersAreIndependent(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	host := "shared-name.example.com"
	la := a.leaf([]string{host}, testpki.LeafOptions{})
	lb := b.leaf([]string{host}, testpki.LeafOptions{})
	a.importLeaf(host, la)
	b.importLeaf(host, lb)
	require.Equal(t, la.Cert.Raw, a.served(host).Leaf.Raw)
	require.Equal(t, lb.Cert.Raw, b.served(host).Leaf.Raw)
	require.NoError(t, a.m.Remove(context.Background(), host))
	require.Nil(t, a.served(host))
	require.Equal(t, lb.Cert.Raw, b.served(host).Leaf.Raw)
}

func TestConcurrentImportsAndRemoves(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	leaves := make([]*testpki.Leaf, 8)
	for i := range leaves {
		leaves[i] = f.leaf([]string{fmt.Sprintf("c%d.example.com", i)}, testpki.LeafOptions{})
	}
	var wg sync.WaitGroup
	for i := range leaves {
		for j := 0; j < 4; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				host := fmt.Sprintf("c%d.example.com", i)
				_, err := f.m.Import(ctx, host, input(leaves[i]), ImportOptions{})
				require.NoError(t, err)
				if j == 3 {
					require.NoError(t, f.m.Remove(ctx, host))
					_, err = f.m.Import(ctx, host, input(leaves[i]), ImportOptions{})
					require.NoError(t, err)
				}
			}()
		}
	}
	wg.Wait()
	page, err := f.m.List(ctx, ListOptions{})
	require.NoError(t, err)
	require.Equal(t, len(leaves), page.Total)
	for i := range leaves {
		require.NotNil(t, f.served(fmt.Sprintf("c%d.example.com", i)))
	}
}

func factsOf(l *testpki.Leaf) validate.Facts { return validate.FactsOf(l.Cert) }

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestSetMetadata(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	host := "meta.example.com"
	f.importLeaf(host, f.leaf([]string{host}, testpki.LeafOptions{}))
	labels := map[string]string{"server": "server_123", "team": "web"}
	h, err := f.m.SetMetadata(ctx, host, Metadata{DisplayName: "example.com Certificate", Labels: labels})
	require.NoError(t, err)
	labels["team"] = "changed after the call"
	got, err := f.m.Get(ctx, host)
	require.NoError(t, err)
	require.Equal(t, "example.com Certificate", got.DisplayName)
	require.Equal(t, map[string]string{"server": "server_123", "team": "web"}, got.Labels)
	require.Equal(t, h.Labels, got.Labels)
	_, err = f.m.SetMetadata(ctx, "missing.example.com", Metadata{})
	require.ErrorIs(t, err, ErrNotFound)
}

// TestEncryptionAtRest configures an encryption key: private keys on disk
// are sealed, the Manager serves them, and a Manager with the wrong key
// cannot read them (a typed error, never garbage).
func TestEncryptionAtRest(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fs, err := store.NewFS(dir)
	require.NoError(t, err)
	key, err := store.GenerateKey("k1")
	require.NoError(t, err)
	ca := testpki.NewCA(t)
	m, err := New(Config{Store: fs, EncryptionKey: &key, Roots: ca.Pool(), Logger: quietLogger()})
	require.NoError(t, err)
	host := "sealed.example.com"
	l := ca.Leaf(t, []string{host}, testpki.LeafOptions{})
	_, err = m.Import(ctx, host, input(l), ImportOptions{})
	require.NoError(t, err)
	var onDisk []byte
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			onDisk = append(onDisk, b...)
		}
		return err
	}))
	require.NotEmpty(t, onDisk)
	require.False(t, leaks(string(onDisk), l.KeyPEM()), "the private key is sealed on disk")
	_, err = m.GetCertificate(&tls.ClientHelloInfo{ServerName: host})
	require.NoError(t, err)

	// Rotation: a new primary key still reads what k1 sealed.
	k2, err := store.GenerateKey("k2")
	require.NoError(t, err)
	rotated, err := New(Config{Store: fs, EncryptionKey: &k2, PreviousEncryptionKeys: []store.Key{key}, Logger: quietLogger()})
	require.NoError(t, err)
	_, err = rotated.PrivateKey(ctx, host, SourceCustom)
	require.NoError(t, err)

	wrong, err := store.GenerateKey("k3")
	require.NoError(t, err)
	_, err = New(Config{Store: fs, EncryptionKey: &wrong, Logger: quietLogger()})
	require.ErrorIs(t, err, store.ErrDecrypt, "a wrong key is refused at start, not served as garbage")
}

// TestSchedulerEmitsExpiringOnce runs Start with a custom certificate that
// enters its expiring window while the Manager runs: one "expiring" event.
func TestSchedulerEmitsExpiringOnce(t *testing.T) {
	f := newFixture(t)
	host := "later.example.com"
	f.importLeaf(host, f.leaf([]string{host}, testpki.LeafOptions{NotAfter: f.clock.Now().Add(40 * 24 * time.Hour)}))
	var mu sync.Mutex
	var got []EventType
	f.m.Subscribe(func(ev Event) { mu.Lock(); got = append(got, ev.Type); mu.Unlock() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(t, f.m.Start(ctx))
	defer f.m.Stop()
	at, ok := f.m.sched.scheduled(host)
	require.True(t, ok)
	require.WithinDuration(t, f.clock.Now().Add(10*24*time.Hour), at, time.Hour)

	f.clock.Add(11 * 24 * time.Hour)
	f.m.sched.schedule(host, at) // wake the loop: the clock moved
	require.Eventually(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 1 }, 5*time.Second, 10*time.Millisecond)
	f.m.RenewDue(ctx)
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []EventType{EventExpiring}, got)
	_, ok = f.m.sched.scheduled(host)
	require.False(t, ok, "nothing left to wake up for: no ACME certificate, expiry already announced")
}

// TestReloadHostname: two Managers share a store (two replicas); a change
// made through one is served by the other after ReloadHostname.
func TestReloadHostname(t *testing.T) {
	ctx := context.Background()
	a := newFixture(t)
	b, err := New(Config{Store: a.store, Roots: a.ca.Pool(), Logger: quietLogger()})
	require.NoError(t, err)
	host := "replica.example.com"
	l := a.leaf([]string{host}, testpki.LeafOptions{})
	a.importLeaf(host, l)
	_, err = b.GetCertificate(&tls.ClientHelloInfo{ServerName: host})
	require.ErrorIs(t, err, ErrUnknownHost, "not yet reloaded")
	require.NoError(t, b.ReloadHostname(ctx, host))
	c, err := b.GetCertificate(&tls.ClientHelloInfo{ServerName: host})
	require.NoError(t, err)
	require.Equal(t, l.Cert.Raw, c.Leaf.Raw)

	require.NoError(t, a.m.Remove(ctx, host))
	require.NoError(t, b.ReloadHostname(ctx, host))
	_, err = b.GetCertificate(&tls.ClientHelloInfo{ServerName: host})
	require.ErrorIs(t, err, ErrUnknownHost)
	require.ErrorIs(t, b.ReloadHostname(ctx, "bad..name"), ErrInvalidHostname)
}
