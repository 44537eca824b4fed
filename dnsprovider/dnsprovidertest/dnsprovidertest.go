// Package dnsprovidertest is a conformance test for certs.DNSProvider
// implementations: it presents records, observes them through DNS by
// asking a nameserver, cleans them up and observes them gone.
package dnsprovidertest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
)

// Config says where to observe the provider's records.
type Config struct {
	// Nameserver is asked for the TXT records ("host:port"), usually the
	// zone's primary authoritative server.
	Nameserver string
	// Domain is the name being validated ("example.com"); records go at
	// FQDN, by default "_acme-challenge.<Domain>.".
	Domain string
	FQDN   string
	// Timeout bounds the wait for a change to become visible (default
	// 10 s); Interval is the polling interval (default 50 ms).
	Timeout  time.Duration
	Interval time.Duration
}

func (c Config) withDefaults() Config {
	if c.FQDN == "" {
		c.FQDN = "_acme-challenge." + strings.TrimPrefix(c.Domain, "*.")
	}
	c.FQDN = dns.Fqdn(c.FQDN)
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Interval <= 0 {
		c.Interval = 50 * time.Millisecond
	}
	return c
}

// Run checks that p presents, cleans up exactly its own record, treats
// the clean-up of a missing record as a success, keeps two values for one
// name presented concurrently, and returns an error for a done context.
// Each check is a subtest. The records have random values, so Run can be
// pointed at a real zone; it cleans up after itself.
func Run(t *testing.T, p certs.DNSProvider, cfg Config) {
	t.Helper()
	cfg = cfg.withDefaults()
	t.Run("PresentObserveCleanUp", func(t *testing.T) { presentCleanUp(t, p, cfg) })
	t.Run("CleanUpMissingRecord", func(t *testing.T) {
		require.NoError(t, p.CleanUp(context.Background(), NewRecord(cfg)))
	})
	t.Run("ConcurrentValues", func(t *testing.T) { concurrentValues(t, p, cfg) })
	t.Run("DoneContext", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rec := NewRecord(cfg)
		require.ErrorIs(t, p.Present(ctx, rec), context.Canceled)
		require.NotContains(t, TXT(t, cfg), rec.Value)
	})
}

func presentCleanUp(t *testing.T, p certs.DNSProvider, cfg Config) {
	ctx := context.Background()
	rec := NewRecord(cfg)
	require.NoError(t, p.Present(ctx, rec))
	t.Cleanup(func() { _ = p.CleanUp(context.Background(), rec) })
	waitFor(t, cfg, "present", func(v []string) bool { return slices.Contains(v, rec.Value) })
	require.NoError(t, p.CleanUp(ctx, rec))
	waitFor(t, cfg, "removed", func(v []string) bool { return !slices.Contains(v, rec.Value) })
}

func concurrentValues(t *testing.T, p certs.DNSProvider, cfg Config) {
	ctx := context.Background()
	a, b := NewRecord(cfg), NewRecord(cfg)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, rec := range []certs.DNSRecord{a, b} {
		wg.Go(func() { errs[i] = p.Present(ctx, rec) })
	}
	wg.Wait()
	t.Cleanup(func() {
		_ = p.CleanUp(context.Background(), a)
		_ = p.CleanUp(context.Background(), b)
	})
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	waitFor(t, cfg, "both present", func(v []string) bool { return slices.Contains(v, a.Value) && slices.Contains(v, b.Value) })
	require.NoError(t, p.CleanUp(ctx, a))
	waitFor(t, cfg, "only the second left", func(v []string) bool { return !slices.Contains(v, a.Value) && slices.Contains(v, b.Value) })
	require.NoError(t, p.CleanUp(ctx, b))
	waitFor(t, cfg, "both removed", func(v []string) bool { return !slices.Contains(v, b.Value) })
}

// NewRecord returns a DNS-01 record at cfg's FQDN with a random key
// authorization and its value (base64url of its SHA-256), as an ACME
// client would present.
func NewRecord(cfg Config) certs.DNSRecord {
	cfg = cfg.withDefaults()
	token := rand.Text()
	keyAuth := token + "." + rand.Text()
	sum := sha256.Sum256([]byte(keyAuth))
	return certs.DNSRecord{
		Domain:  strings.TrimPrefix(cfg.Domain, "*."),
		FQDN:    cfg.FQDN,
		Value:   base64.RawURLEncoding.EncodeToString(sum[:]),
		Token:   token,
		KeyAuth: keyAuth,
	}
}

// waitFor polls the TXT records until ok accepts them or cfg.Timeout passes.
func waitFor(t *testing.T, cfg Config, what string, ok func([]string) bool) {
	t.Helper()
	deadline := time.Now().Add(cfg.Timeout)
	for {
		values := TXT(t, cfg)
		if ok(values) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("dnsprovidertest: TXT %s not %s after %s; it has %q", cfg.FQDN, what, cfg.Timeout, values)
		}
		time.Sleep(cfg.Interval)
	}
}

// TXT asks cfg.Nameserver for the TXT values at cfg's FQDN (UDP, then TCP
// when truncated).
func TXT(t *testing.T, cfg Config) []string {
	t.Helper()
	cfg = cfg.withDefaults()
	m := new(dns.Msg)
	m.SetQuestion(cfg.FQDN, dns.TypeTXT)
	m.SetEdns0(1232, false)
	r, _, err := (&dns.Client{Net: "udp", Timeout: 2 * time.Second}).Exchange(m, cfg.Nameserver)
	if err == nil && r.Truncated {
		r, _, err = (&dns.Client{Net: "tcp", Timeout: 2 * time.Second}).Exchange(m, cfg.Nameserver)
	}
	require.NoError(t, err, "dnsprovidertest: query TXT %s at %s", cfg.FQDN, cfg.Nameserver)
	var out []string
	for _, rr := range r.Answer {
		if txt, ok := rr.(*dns.TXT); ok && strings.EqualFold(txt.Hdr.Name, cfg.FQDN) {
			out = append(out, strings.Join(txt.Txt, ""))
		}
	}
	return out
}
