package certs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider/rfc2136"
	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// relayDNS is a real RFC 2136 provider, sending TSIG-signed updates to the
// loopback authoritative server, whose records are then published as found
// there in Pebble's DNS (the one the CA asks): the CA validates exactly
// what the provider wrote. While hold is set nothing is published, as when
// the zone is not delegated to that server yet.
type relayDNS struct {
	p    *rfc2136.Provider
	auth *dnstest.Server
	ca   *pebbletest.Server
	hold *atomic.Bool
}

func (r *relayDNS) Present(ctx context.Context, rec certs.DNSRecord) error {
	if err := r.p.Present(ctx, rec); err != nil {
		return err
	}
	if r.hold.Load() {
		return nil
	}
	for _, rr := range r.auth.Records(rec.FQDN, dns.TypeTXT) {
		for _, v := range rr.(*dns.TXT).Txt {
			r.ca.AddTXT(rec.FQDN, v)
		}
	}
	return nil
}

func (r *relayDNS) CleanUp(ctx context.Context, rec certs.DNSRecord) error {
	r.ca.RemoveTXT(rec.FQDN, rec.Value)
	return r.p.CleanUp(ctx, rec)
}

// rfc2136Factory is a Config.NewDNSProvider knowing one provider,
// "rfc2136", built from its credentials; builds counts the providers built.
type rfc2136Factory struct {
	auth   *dnstest.Server
	ca     *pebbletest.Server
	hold   atomic.Bool
	builds atomic.Int64
}

func (f *rfc2136Factory) New(name string, creds map[string]string) (certs.DNSProvider, error) {
	if name != "rfc2136" {
		return nil, fmt.Errorf("unknown DNS provider %q", name)
	}
	f.builds.Add(1)
	p, err := rfc2136.New(rfc2136.Config{Nameserver: creds["nameserver"],
		TSIGKeyName: creds["tsigKeyName"], TSIGSecret: creds["tsigSecret"]})
	if err != nil {
		return nil, err
	}
	return &relayDNS{p: p, auth: f.auth, ca: f.ca, hold: &f.hold}, nil
}

// lockedBuffer collects logs written concurrently.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNamedDNSProviderKeptForRetryAndRenewal: a DNS provider given by name
// is rebuilt from its stored credentials for the retry of a failed order,
// for renewals, and by another process on the same Store, with no
// provider in Config; the credentials are stored only as a sealed secret.
func TestNamedDNSProviderKeptForRetryAndRenewal(t *testing.T) {
	srv := pebbletest.Start(t, pebbletest.Options{})
	f := &rfc2136Factory{auth: dnstest.Start(t, dnstest.Zone{Name: "test"}), ca: srv}
	dir := t.TempDir()
	fsStore, err := store.NewFS(dir)
	require.NoError(t, err)
	key, err := store.GenerateKey("k1")
	require.NoError(t, err)
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newOrderEnv(t, orderEnvOpts{srv: srv, config: func(c *certs.Config) {
		c.Store, c.EncryptionKey, c.DNSProvider, c.NewDNSProvider, c.Logger = fsStore, &key, nil, f.New, logger
	}})
	ctx := ctxT(t)
	secret := dnstest.DefaultTSIGSecret
	creds := certs.DNSCredentials{"nameserver": f.auth.Addr(), "tsigKeyName": dnstest.DefaultTSIGKeyName, "tsigSecret": secret}
	host := "*." + pebbletest.UniqueDomain("")

	f.hold.Store(true)
	_, err = e.m.Obtain(ctx, host, certs.ObtainOptions{DNSProviderName: "rfc2136", DNSCredentials: creds})
	require.ErrorIs(t, err, certs.ErrValidationFailed)
	require.NotContains(t, err.Error(), secret)
	require.Positive(t, f.auth.Stats().Updates, "the provider sent its updates")
	require.Equal(t, "rfc2136", e.get(t, host).Pending.Options.DNSProvider)

	f.hold.Store(false)
	e.clock.Add(time.Minute + time.Second)
	e.m.RenewDue(ctx)
	h := e.get(t, host)
	require.Nil(t, h.Pending, "the retry succeeded")
	require.Equal(t, "rfc2136", h.ACME.Options.DNSProvider)
	require.EqualValues(t, 2, f.builds.Load(), "rebuilt for the retry")

	renewed, err := e.m.Renew(ctx, host, certs.RenewOptions{})
	require.NoError(t, err)
	require.NotEqual(t, h.ACME.Serial, renewed.ACME.Serial)
	require.EqualValues(t, 3, f.builds.Load(), "rebuilt for the renewal")

	// Another process on the same Store and key rebuilds it too.
	other, err := certs.New(certs.Config{Store: fsStore, EncryptionKey: &key, Issuer: e.orders,
		NewDNSProvider: f.New, Logger: logger, Clock: e.clock.Now})
	require.NoError(t, err)
	_, err = other.Renew(ctx, host, certs.RenewOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 4, f.builds.Load())

	requireCredentialsSealed(t, fsStore, key, host, secret)
	require.False(t, inClear(t, dir, secret), "the files on disk never hold the credentials in clear")
	got, err := json.Marshal(e.get(t, host))
	require.NoError(t, err)
	require.NotContains(t, string(got), secret)
	events, err := json.Marshal(e.events.all())
	require.NoError(t, err)
	require.NotContains(t, string(events), secret)
	require.NotContains(t, logs.String(), secret)
}

// requireCredentialsSealed checks the record's secret "acme-dns.key":
// sealed in the Store, the credentials once opened with the key, and
// absent from the record's data.
func requireCredentialsSealed(t *testing.T, st certs.Store, key store.Key, host, secret string) {
	t.Helper()
	raw, err := st.Get(ctxT(t), host)
	require.NoError(t, err)
	require.NotContains(t, string(raw.Data), secret)
	require.Contains(t, raw.Secrets, "acme-dns.key")
	require.NotContains(t, string(raw.Secrets["acme-dns.key"]), secret)
	enc, err := store.NewEncrypted(st, key)
	require.NoError(t, err)
	opened, err := enc.Get(ctxT(t), host)
	require.NoError(t, err)
	var creds map[string]string
	require.NoError(t, json.Unmarshal(opened.Secrets["acme-dns.key"], &creds))
	require.Equal(t, secret, creds["tsigSecret"])
}

// inClear reports whether a file under dir holds s in clear, as is or
// inside a base64-encoded secret of a record file.
func inClear(t *testing.T, dir, s string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var rec struct{ Secrets map[string][]byte }
		_ = json.Unmarshal(b, &rec)
		found = found || bytes.Contains(b, []byte(s))
		for _, v := range rec.Secrets {
			found = found || bytes.Contains(v, []byte(s))
		}
		return nil
	})
	require.NoError(t, err)
	return found
}

// TestInClearSeesPlainSecrets checks inClear itself: without
// EncryptionKey the credentials are in the record file, base64-encoded.
func TestInClearSeesPlainSecrets(t *testing.T) {
	dir := t.TempDir()
	fsStore, err := store.NewFS(dir)
	require.NoError(t, err)
	require.NoError(t, fsStore.Put(ctxT(t), &store.Record{Name: "a.example.com", Data: []byte(`{"hostname":"a.example.com"}`),
		Secrets: map[string][]byte{"acme-dns.key": []byte(`{"tsigSecret":"s3cr3t-value"}`)}}))
	require.True(t, inClear(t, dir, "s3cr3t-value"))
	require.False(t, inClear(t, dir, "other-value"))
}

// TestObjectDNSProviderNotKept: a provider given as an object serves its
// own order only; a renewal with no provider in Config fails with
// ErrNoDNSProvider, recorded, and says to give the provider by name.
func TestObjectDNSProviderNotKept(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{config: func(c *certs.Config) { c.DNSProvider = nil }})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	_, err := e.m.Obtain(ctx, host, certs.ObtainOptions{Challenge: certs.ChallengeDNS01, DNSProvider: e.dns})
	require.NoError(t, err)
	require.Empty(t, e.get(t, host).ACME.Options.DNSProvider)

	_, err = e.m.Renew(ctx, host, certs.RenewOptions{})
	require.ErrorIs(t, err, certs.ErrNoDNSProvider)
	require.Contains(t, err.Error(), "DNSProviderName")
	h := e.get(t, host)
	require.Equal(t, 1, h.ACME.FailureCount)
	require.Contains(t, h.ACME.LastRenewError, "DNSProviderName")
	requireAt(t, e.clock.Now().Add(time.Minute), h.ACME.NextRenewalAt, "backoff")
	last := e.events.all()[len(e.events.all())-1]
	require.Equal(t, certs.EventRenewalFailed, last.Type)

	// Given again for one renewal, it serves that renewal only.
	_, err = e.m.Renew(ctx, host, certs.RenewOptions{DNSProvider: e.dns})
	require.NoError(t, err)
	require.EqualValues(t, 2, e.orders.issued.Load())
	_, err = e.m.Renew(ctx, host, certs.RenewOptions{})
	require.ErrorIs(t, err, certs.ErrNoDNSProvider)
	require.EqualValues(t, 2, e.orders.issued.Load())
}

// TestDNSProviderForUsedForOrderAndRenewal: Config.DNSProviderFor picks a
// hostname's own provider for its order and its renewals; other hostnames
// use Config.DNSProvider.
func TestDNSProviderForUsedForOrderAndRenewal(t *testing.T) {
	srv := pebbletest.Start(t, pebbletest.Options{})
	customer := pebbletest.UniqueDomain("")
	own := &pebbleDNS{srv: srv}
	e := newOrderEnv(t, orderEnvOpts{srv: srv, config: func(c *certs.Config) {
		c.DNSProviderFor = func(h string) certs.DNSProvider {
			if strings.HasSuffix(h, customer) {
				return own
			}
			return nil
		}
	}})
	ctx := ctxT(t)
	_, err := e.m.Obtain(ctx, "*."+customer, certs.ObtainOptions{AltNames: []string{customer}})
	require.NoError(t, err)
	require.Positive(t, own.present.Load())
	require.Zero(t, e.dns.present.Load(), "Config.DNSProvider is not used for the customer")

	used := own.present.Load()
	_, err = e.m.Renew(ctx, "*."+customer, certs.RenewOptions{})
	require.NoError(t, err)
	require.Greater(t, own.present.Load(), used, "the renewal uses the customer's provider")
	require.Zero(t, e.dns.present.Load())

	_, err = e.m.Obtain(ctx, pebbletest.UniqueDomain(""), certs.ObtainOptions{Challenge: certs.ChallengeDNS01})
	require.NoError(t, err)
	require.Positive(t, e.dns.present.Load(), "other hostnames fall back to Config.DNSProvider")
}
