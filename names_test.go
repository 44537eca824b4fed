package certs

import (
	"context"
	"errors"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

// requireServes asserts, with real handshakes against addr, that every
// name in want gets the given leaf, and every name in none fails.
func requireServes(t *testing.T, f *fixture, addr string, want map[string]*testpki.Leaf, none ...string) {
	t.Helper()
	for sni, l := range want {
		got, err := handshake(t, addr, sni, f.ca.Pool())
		require.NoError(t, err, "handshake for %s", sni)
		require.Equal(t, l.Cert.Raw, got.Raw, "certificate served for %s", sni)
	}
	for _, sni := range none {
		_, err := handshake(t, addr, sni, f.ca.Pool())
		require.Error(t, err, "handshake for %s should fail: nothing serves it", sni)
	}
}

func TestImportFurtherNamesServed(t *testing.T) {
	tests := []struct {
		name       string
		opts       ImportOptions
		served     []string
		notServed  []string
		wantErr    error
		wantServed []string
	}{
		{name: "hostname only by default", opts: ImportOptions{},
			served: []string{"app.example.com"}, notServed: []string{"www.example.com", "api.example.com"},
			wantServed: []string{"app.example.com"}},
		{name: "all names on request", opts: ImportOptions{AllNames: true},
			served:     []string{"app.example.com", "www.example.com", "api.example.com"},
			wantServed: []string{"app.example.com", "www.example.com", "api.example.com"}},
		{name: "a chosen subset", opts: ImportOptions{Names: []string{"WWW.example.com."}},
			served: []string{"app.example.com", "www.example.com"}, notServed: []string{"api.example.com"},
			wantServed: []string{"app.example.com", "www.example.com"}},
		{name: "a name the certificate does not cover", opts: ImportOptions{Names: []string{"shop.example.com"}},
			wantErr: ErrHostnameMismatch, notServed: []string{"app.example.com", "shop.example.com"}},
		{name: "an invalid name", opts: ImportOptions{Names: []string{"bad name"}},
			wantErr: ErrInvalidHostname, notServed: []string{"app.example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			l := f.leaf([]string{"app.example.com", "www.example.com", "api.example.com"}, testpki.LeafOptions{})
			addr := tlsServer(t, f.m.TLSConfig())
			h, err := f.m.Import(context.Background(), "app.example.com", input(l), tc.opts)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Nil(t, f.storedRecord("app.example.com"), "a failed import stores nothing")
				requireServes(t, f, addr, nil, tc.notServed...)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantServed, h.ServedNames)
			got, err := f.m.Get(context.Background(), "app.example.com")
			require.NoError(t, err)
			require.Equal(t, tc.wantServed, got.ServedNames)
			want := map[string]*testpki.Leaf{}
			for _, n := range tc.served {
				want[n] = l
			}
			requireServes(t, f, addr, want, tc.notServed...)
		})
	}
}

func TestFurtherNamePrecedence(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	addr := tlsServer(t, f.m.TLSConfig())
	multi := f.leaf([]string{"app.example.com", "www.example.com", "api.example.com"}, testpki.LeafOptions{})
	_, err := f.m.Import(ctx, "app.example.com", input(multi), ImportOptions{AllNames: true})
	require.NoError(t, err)

	// A name's own record beats a record that covers it.
	ownWWW := f.leaf([]string{"www.example.com"}, testpki.LeafOptions{})
	f.importLeaf("www.example.com", ownWWW)
	requireServes(t, f, addr, map[string]*testpki.Leaf{"www.example.com": ownWWW, "api.example.com": multi})
	requireExplain(t, f.m, "www.example.com", MatchOwn, "www.example.com", SourceCustom)

	// Removing the name's own record falls back to the covering one.
	require.NoError(t, f.m.Remove(ctx, "www.example.com"))
	requireServes(t, f, addr, map[string]*testpki.Leaf{"www.example.com": multi})
	requireExplain(t, f.m, "www.example.com", MatchFurtherName, "app.example.com", SourceCustom)

	// An exact further name beats a wildcard record.
	wild := f.leaf([]string{"*.example.com"}, testpki.LeafOptions{})
	f.importLeaf("*.example.com", wild)
	requireServes(t, f, addr, map[string]*testpki.Leaf{"www.example.com": multi, "other.example.com": wild})
	requireExplain(t, f.m, "other.example.com", MatchWildcard, "*.example.com", SourceCustom)

	// Replacing the covering record stops serving the names it dropped.
	_, err = f.m.Import(ctx, "app.example.com", input(multi), ImportOptions{Names: []string{"api.example.com"}})
	require.NoError(t, err)
	requireServes(t, f, addr, map[string]*testpki.Leaf{"www.example.com": wild, "api.example.com": multi, "app.example.com": multi})

	// Removing the covering record stops serving every name it covered.
	require.NoError(t, f.m.Remove(ctx, "app.example.com"))
	requireServes(t, f, addr, map[string]*testpki.Leaf{"api.example.com": wild, "app.example.com": wild})
	require.NoError(t, f.m.Remove(ctx, "*.example.com"))
	requireServes(t, f, addr, nil, "app.example.com", "api.example.com", "www.example.com")
	_, err = f.m.Explain(ctx, "api.example.com")
	require.ErrorIs(t, err, ErrUnknownHost)
}

func requireExplain(t *testing.T, m *Manager, sni string, kind MatchKind, host string, src Source) {
	t.Helper()
	ex, err := m.Explain(context.Background(), sni)
	require.NoError(t, err)
	require.Equal(t, kind, ex.Match, ex.Reason)
	require.Equal(t, host, ex.Hostname)
	require.Equal(t, src, ex.Source)
	require.NotNil(t, ex.Certificate)
	require.Contains(t, ex.Reason, host)
}

func TestFurtherNameConflicts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	addr := tlsServer(t, f.m.TLSConfig())
	multi := f.leaf([]string{"app.example.com", "www.example.com"}, testpki.LeafOptions{})
	_, err := f.m.Import(ctx, "app.example.com", input(multi), ImportOptions{AllNames: true})
	require.NoError(t, err)
	api := f.leaf([]string{"api.example.com"}, testpki.LeafOptions{})
	f.importLeaf("api.example.com", api)

	tests := []struct {
		name   string
		host   string
		sans   []string
		opts   ImportOptions
		heldBy string
	}{
		{"a further name of another record", "other.example.com",
			[]string{"other.example.com", "www.example.com"}, ImportOptions{AllNames: true}, "app.example.com"},
		{"a name with a record of its own", "other.example.com",
			[]string{"other.example.com", "api.example.com"}, ImportOptions{Names: []string{"api.example.com"}}, "api.example.com"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := f.leaf(tc.sans, testpki.LeafOptions{})
			_, err := f.m.Import(ctx, tc.host, input(l), tc.opts)
			require.ErrorIs(t, err, ErrNameConflict)
			var nc *NameConflictError
			require.True(t, errors.As(err, &nc))
			require.Equal(t, tc.heldBy, nc.HeldBy)
			require.Contains(t, err.Error(), tc.heldBy)
			require.Nil(t, f.storedRecord(tc.host), "a refused import stores nothing")
			requireServes(t, f, addr, map[string]*testpki.Leaf{"www.example.com": multi, "api.example.com": api}, tc.host)
		})
	}

	// Re-importing under the same hostname keeps its own further names.
	again := f.leaf([]string{"app.example.com", "www.example.com"}, testpki.LeafOptions{})
	_, err = f.m.Import(ctx, "app.example.com", input(again), ImportOptions{AllNames: true})
	require.NoError(t, err)
	requireServes(t, f, addr, map[string]*testpki.Leaf{"www.example.com": again})
}

func TestFurtherNamesAfterRestart(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	multi := f.leaf([]string{"app.example.com", "www.example.com", "*.app.example.com"}, testpki.LeafOptions{})
	_, err := f.m.Import(ctx, "app.example.com", input(multi), ImportOptions{AllNames: true})
	require.NoError(t, err)
	f.putACME("b.example.com", f.leaf([]string{"b.example.com"}, testpki.LeafOptions{}))

	m2, err := New(Config{Store: f.store, Roots: f.ca.Pool(), Clock: f.clock.Now, Logger: quietLogger()})
	require.NoError(t, err)
	addr := tlsServer(t, m2.TLSConfig())
	requireServes(t, f, addr, map[string]*testpki.Leaf{
		"app.example.com": multi, "www.example.com": multi, "x.app.example.com": multi,
	})
	requireExplain(t, m2, "x.app.example.com", MatchWildcardFurtherName, "app.example.com", SourceCustom)
	page, err := m2.List(ctx, ListOptions{})
	require.NoError(t, err)
	require.Len(t, page.Hosts, 2)
	require.Equal(t, []string{"app.example.com", "www.example.com", "*.app.example.com"}, page.Hosts[0].ServedNames)
}

func TestACMEFurtherNamesAndCustomFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	addr := tlsServer(t, f.m.TLSConfig())
	// An ACME certificate for the order's names, as the issuance path
	// stores it, plus a custom certificate for the hostname only.
	acme := f.leaf([]string{"x.example.com", "www.x.example.com"}, testpki.LeafOptions{})
	_, err := f.m.update(ctx, "x.example.com", true, func(h *Host, keys keyring) error {
		h.ACME = &Certificate{Source: SourceACME, Facts: factsOf(acme), ChainPEM: string(acme.ChainPEM()),
			Names: []string{"x.example.com", "www.x.example.com"}}
		keys[SourceACME] = acme.KeyPEM()
		return nil
	})
	require.NoError(t, err)
	custom := f.leaf([]string{"x.example.com"}, testpki.LeafOptions{})
	f.importLeaf("x.example.com", custom)

	// Within the record custom comes first; the further name only the ACME
	// certificate covers gets the ACME one.
	requireServes(t, f, addr, map[string]*testpki.Leaf{"x.example.com": custom, "www.x.example.com": acme})
	requireExplain(t, f.m, "www.x.example.com", MatchFurtherName, "x.example.com", SourceACME)
	h, err := f.m.Get(ctx, "x.example.com")
	require.NoError(t, err)
	require.Equal(t, []string{"x.example.com", "www.x.example.com"}, h.ServedNames)

	// Removing the ACME certificate stops serving its further names.
	_, err = f.m.RemoveACME(ctx, "x.example.com")
	require.NoError(t, err)
	requireServes(t, f, addr, map[string]*testpki.Leaf{"x.example.com": custom}, "www.x.example.com")
}
