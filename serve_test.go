package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/internal/tlstest"
	"github.com/stretchr/testify/require"
)

// tlsServer serves TLS handshakes with the Manager on a loopback listener
// until the test ends.
func tlsServer(t *testing.T, cfg *tls.Config) string { return tlstest.Serve(t, cfg) }

// handshake connects with SNI and returns the leaf the server presented.
func handshake(t *testing.T, addr, sni string, roots *x509.CertPool, mod ...func(*tls.Config)) (*x509.Certificate, error) {
	t.Helper()
	cfg := &tls.Config{ServerName: sni, RootCAs: roots}
	if sni == "" {
		cfg.InsecureSkipVerify = true // no name to verify against
	}
	for _, fn := range mod {
		fn(cfg)
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0], nil
}

func TestHandshakeCustomFirstAndFallbacks(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	addr := tlsServer(t, f.m.TLSConfig())
	roots := f.ca.Pool()
	rsaOnly := func(c *tls.Config) {
		c.MaxVersion = tls.VersionTLS12
		c.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	}
	tests := []struct {
		name       string
		custom     *testpki.LeafOptions // nil: no custom certificate
		revokeCust bool
		client     func(*tls.Config)
		wantACME   bool
	}{
		{name: "custom first", custom: &testpki.LeafOptions{}},
		{name: "no custom: ACME", wantACME: true},
		{name: "custom expired: ACME", custom: &testpki.LeafOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(time.Hour)}, wantACME: true},
		{name: "custom not yet valid: ACME", custom: &testpki.LeafOptions{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour)}, wantACME: true},
		{name: "custom revoked: ACME", custom: &testpki.LeafOptions{}, revokeCust: true, wantACME: true},
		{name: "ECDSA custom, RSA-only client: ACME", custom: &testpki.LeafOptions{}, client: rsaOnly, wantACME: true},
		{name: "RSA custom, RSA-only client: custom", custom: &testpki.LeafOptions{KeyType: testpki.RSA2048}, client: rsaOnly},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := "fb" + string(rune('a'+i)) + ".example.com"
			acme := f.leaf([]string{host}, testpki.LeafOptions{KeyType: testpki.RSA2048})
			f.putACME(host, acme)
			var custom *testpki.Leaf
			if tc.custom != nil {
				custom = f.leaf([]string{host}, *tc.custom)
				f.importLeaf(host, custom)
				if tc.revokeCust {
					f.markCustomRevoked(host)
				}
			}
			// Expiry and not-yet-valid are judged at the Manager's clock:
			// move it so the custom certificate is outside its window.
			switch tc.name {
			case "custom expired: ACME":
				f.clock.Add(2 * time.Hour)
				defer f.clock.Add(-2 * time.Hour)
			case "custom not yet valid: ACME":
				f.clock.Add(-2 * time.Hour)
				defer f.clock.Add(2 * time.Hour)
			}
			var mods []func(*tls.Config)
			if tc.client != nil {
				mods = append(mods, tc.client)
			}
			// The client verifies against the fixture CA at the real time,
			// which both certificates satisfy.
			got, err := handshake(t, addr, host, roots, mods...)
			require.NoError(t, err)
			want := acme
			if !tc.wantACME {
				want = custom
			}
			require.Equal(t, want.Cert.Raw, got.Raw)
		})
	}
}

// markCustomRevoked flags a hostname's custom certificate as revoked (a
// CA revoked it out of band), the way a platform would record it.
func (f *fixture) markCustomRevoked(host string) {
	f.t.Helper()
	now := f.clock.Now()
	_, err := f.m.update(context.Background(), host, false, func(h *Host, _ keyring) error {
		h.Custom.RevokedAt = &now
		return nil
	})
	require.NoError(f.t, err)
}

func TestHandshakeWildcardAndCase(t *testing.T) {
	f := newFixture(t)
	wild := f.leaf([]string{"*.apps.example.com"}, testpki.LeafOptions{})
	exact := f.leaf([]string{"special.apps.example.com"}, testpki.LeafOptions{})
	f.importLeaf("*.apps.example.com", wild)
	f.importLeaf("special.apps.example.com", exact)
	addr := tlsServer(t, f.m.TLSConfig())
	tests := []struct {
		sni  string
		want *testpki.Leaf
	}{
		{"one.apps.example.com", wild},
		{"Two.APPS.example.com", wild},
		{"special.apps.example.com", exact},
		{"SPECIAL.apps.Example.Com", exact},
	}
	for _, tc := range tests {
		t.Run(tc.sni, func(t *testing.T) {
			got, err := handshake(t, addr, tc.sni, f.ca.Pool())
			require.NoError(t, err)
			require.Equal(t, tc.want.Cert.Raw, got.Raw)
		})
	}
	// Two labels below the wildcard are not covered.
	_, err := handshake(t, addr, "a.b.apps.example.com", f.ca.Pool())
	require.Error(t, err)
}

func TestHandshakeNoSNI(t *testing.T) {
	t.Run("no default: handshake error", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.m.GetCertificate(&tls.ClientHelloInfo{})
		require.ErrorIs(t, err, ErrNoServerName)
		addr := tlsServer(t, f.m.TLSConfig())
		_, err = handshake(t, addr, "", nil)
		require.Error(t, err)
	})
	t.Run("default certificate", func(t *testing.T) {
		ca := testpki.NewCA(t)
		def := ca.Leaf(t, []string{"default.example.com"}, testpki.LeafOptions{})
		tc := def.TLSCertificate()
		f := newFixture(t, func(c *Config) { c.DefaultCertificate = &tc })
		addr := tlsServer(t, f.m.TLSConfig())
		got, err := handshake(t, addr, "", nil)
		require.NoError(t, err)
		require.Equal(t, def.Cert.Raw, got.Raw)
	})
}

// TestHandshakeUnknownName: a server name the Manager holds nothing for
// fails the handshake with a TLS alert, because GetCertificate returned
// ErrUnknownHost for it; known names on the same server still succeed.
func TestHandshakeUnknownName(t *testing.T) {
	f := newFixture(t)
	known := f.leaf([]string{"known.example.com"}, testpki.LeafOptions{})
	f.importLeaf("known.example.com", known)
	wild := f.leaf([]string{"*.apps.example.com"}, testpki.LeafOptions{})
	f.importLeaf("*.apps.example.com", wild)

	// Record what GetCertificate returned for each server name.
	var mu sync.Mutex
	got := map[string]error{}
	cfg := f.m.TLSConfig()
	cfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, err := f.m.GetCertificate(hello)
		mu.Lock()
		got[hello.ServerName] = err
		mu.Unlock()
		return c, err
	}
	getErr := func(sni string) (error, bool) {
		mu.Lock()
		defer mu.Unlock()
		err, ok := got[sni]
		return err, ok
	}
	addr := tlsServer(t, cfg)

	tests := []struct {
		sni  string
		want *testpki.Leaf // nil: the name is unknown
	}{
		{"unknown.example.com", nil},
		{"known.example.org", nil},
		{"sub.known.example.com", nil}, // no wildcard for known.example.com
		{"a.b.apps.example.com", nil},  // two labels below the wildcard
		{"known.example.com", known},   // the same server still serves known names
		{"KNOWN.Example.com", known},
		{"x.apps.example.com", wild},
	}
	for _, tc := range tests {
		t.Run(tc.sni, func(t *testing.T) {
			leaf, err := handshake(t, addr, tc.sni, f.ca.Pool())
			serverErr, called := getErr(tc.sni)
			require.True(t, called, "GetCertificate was asked for %q", tc.sni)
			if tc.want != nil {
				require.NoError(t, err)
				require.NoError(t, serverErr)
				require.Equal(t, tc.want.Cert.Raw, leaf.Raw)
				return
			}
			// Server side: GetCertificate refused the name as unknown.
			require.ErrorIs(t, serverErr, ErrUnknownHost)
			require.ErrorContains(t, serverErr, tc.sni)
			// Client side: the handshake fails with the alert the server
			// sends when GetCertificate fails (internal_error, 80), not
			// with a certificate the client could not verify.
			require.Error(t, err)
			var opErr *net.OpError
			require.True(t, errors.As(err, &opErr), "want a TLS alert from the server, got %T: %v", err, err)
			require.Equal(t, "remote error", opErr.Op)
			require.Equal(t, tls.AlertError(80).Error(), opErr.Err.Error())
			var verr *tls.CertificateVerificationError
			require.False(t, errors.As(err, &verr))
		})
	}

	// Overlong and odd names are errors too, never panics.
	for _, sni := range []string{string(make([]byte, 300)), "..", ".", "A.", "*.example.com"} {
		_, err := f.m.GetCertificate(&tls.ClientHelloInfo{ServerName: sni})
		require.ErrorIs(t, err, ErrUnknownHost, "%q", sni)
	}
}

// TestAtomicReplacementUnderHandshakes replaces a hostname's certificate
// over and over while clients handshake concurrently: every handshake must
// succeed and see either the old or the new certificate.
func TestAtomicReplacementUnderHandshakes(t *testing.T) {
	f := newFixture(t)
	host := "swap.example.com"
	a := f.leaf([]string{host}, testpki.LeafOptions{})
	b := f.leaf([]string{host}, testpki.LeafOptions{})
	f.importLeaf(host, a)
	addr := tlsServer(t, f.m.TLSConfig())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var handshakes, failures atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				got, err := handshake(t, addr, host, f.ca.Pool())
				if err != nil || (string(got.Raw) != string(a.Cert.Raw) && string(got.Raw) != string(b.Cert.Raw)) {
					failures.Add(1)
					continue
				}
				handshakes.Add(1)
			}
		}()
	}
	for i := 0; i < 40; i++ {
		next := a
		if i%2 == 0 {
			next = b
		}
		_, err := f.m.Import(context.Background(), host, input(next), ImportOptions{})
		require.NoError(t, err)
	}
	cancel()
	wg.Wait()
	require.Zero(t, failures.Load())
	require.Positive(t, handshakes.Load())
}

func TestGetCertificateAllocatesNothing(t *testing.T) {
	f := newFixture(t)
	f.importLeaf("alloc.example.com", f.leaf([]string{"alloc.example.com"}, testpki.LeafOptions{}))
	f.importLeaf("*.wild.example.com", f.leaf([]string{"*.wild.example.com"}, testpki.LeafOptions{}))
	for _, sni := range []string{"alloc.example.com", "ALLOC.Example.com", "x.wild.example.com", "X.Wild.Example.Com."} {
		hello := &tls.ClientHelloInfo{ServerName: sni}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := f.m.GetCertificate(hello); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs, sni)
	}
}
