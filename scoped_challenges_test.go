package certs_test

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
)

// scopedEnv is a Manager on its own Pebble (an acme.Issuer, the Manager
// answering HTTP-01 and TLS-ALPN-01) with the given DNS configuration and,
// with withDNS, a DNS provider presenting records in Pebble's DNS.
type scopedEnv struct {
	srv   *pebbletest.Server
	m     *certs.Manager
	store certs.Store
	iss   *acme.Issuer
	dns   *recordingDNS // nil without withDNS
}

func newScopedEnv(t *testing.T, withDNS bool, dnsCfg certs.DNSConfig) *scopedEnv {
	t.Helper()
	e := &scopedEnv{srv: pebbletest.Start(t, pebbletest.Options{}), store: store.NewMemory()}
	var dns certs.DNSProvider
	if withDNS {
		e.dns = &recordingDNS{pebbleDNS: pebbleDNS{srv: e.srv}, fqdns: map[string]bool{}}
		dns = e.dns
	}
	var err error
	e.iss, err = acme.New(acme.Config{
		DirectoryURL: e.srv.DirectoryURL, AgreeTOS: true, HTTPClient: e.srv.HTTPClient(), Store: e.store,
		Logger: quiet(), DNSResolvers: []string{e.srv.DNSAddr}, DefaultProfile: "shortlived", PropagationTimeout: -1,
	})
	require.NoError(t, err)
	e.m, err = certs.New(certs.Config{Store: e.store, Issuer: e.iss, DNSProvider: dns, DNS: dnsCfg, Logger: quiet()})
	require.NoError(t, err)
	e.srv.HandleHTTP01(t, e.m.HTTPHandler(nil))
	e.srv.HandleTLSALPN01(t, e.m.GetCertificate)
	return e
}

// reopen is a second Manager on the same Store: what it reads is the
// stored form.
func (e *scopedEnv) reopen(t *testing.T) *certs.Manager {
	t.Helper()
	m, err := certs.New(certs.Config{Store: e.store, Issuer: e.iss, Logger: quiet()})
	require.NoError(t, err)
	return m
}

// recordingDNS presents records in Pebble's DNS and remembers their names.
type recordingDNS struct {
	pebbleDNS
	mu    sync.Mutex
	fqdns map[string]bool
}

func (r *recordingDNS) Present(ctx context.Context, rec certs.DNSRecord) error {
	r.mu.Lock()
	r.fqdns[rec.FQDN] = true
	r.mu.Unlock()
	return r.pebbleDNS.Present(ctx, rec)
}

func (r *recordingDNS) names() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]bool{}
	for k := range r.fqdns {
		out[k] = true
	}
	return out
}

// dns-account-01 through the Manager: the DNS provider presents the
// record under the account's label (DNSRecord.FQDN), for a name and a
// wildcard, and renewals use it again.
func TestObtainDNSAccount01(t *testing.T) {
	t.Parallel()
	e := newScopedEnv(t, true, certs.DNSConfig{})
	dns := e.dns
	id, err := e.iss.PersistIdentity(ctxT(t))
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(id.AccountURI))
	label := "_" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:10]))
	tests := []struct {
		name string
		host func(base string) string
		alt  func(base string) []string
	}{
		{"a name", func(b string) string { return b }, func(string) []string { return nil }},
		{"a wildcard and its apex", func(b string) string { return "*." + b }, func(b string) []string { return []string{b} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := pebbletest.UniqueDomain("")
			host := tc.host(base)
			h, err := e.m.Obtain(ctxT(t), host, certs.ObtainOptions{Challenge: certs.ChallengeDNSAccount01, AltNames: tc.alt(base)})
			require.NoError(t, err)
			require.Equal(t, certs.StatusActive, h.Status)
			require.Equal(t, certs.ChallengeDNSAccount01, h.ACME.Options.Challenge)
			require.Empty(t, h.ACME.Options.ChallengeReason, "the caller chose it")
			require.True(t, dns.names()[label+"._acme-challenge."+base+"."], "the scoped name: %v", dns.names())
			require.False(t, dns.names()["_acme-challenge."+base+"."], "never the dns-01 name")

			r, err := e.m.Renew(ctxT(t), host, certs.RenewOptions{})
			require.NoError(t, err)
			require.NotNil(t, r.ACME.RenewedFrom)
			require.Equal(t, certs.ChallengeDNSAccount01, r.ACME.Options.Challenge)
		})
	}
	bare := newScopedEnv(t, false, certs.DNSConfig{})
	_, err = bare.m.Obtain(ctxT(t), pebbletest.UniqueDomain(""), certs.ObtainOptions{Challenge: certs.ChallengeDNSAccount01})
	require.ErrorIs(t, err, certs.ErrNoDNSProvider, "dns-account-01 needs a DNS provider")
}

// dns-persist-01 through the Manager, with no DNS provider configured at
// all: the customer's record is added once (to Pebble's DNS), then Obtain
// and Renew succeed; a wildcard needs policy=wildcard; a missing record
// fails with the CA's reason recorded in validation_errors.
func TestPersistObtainAndRenewWithoutDNSProvider(t *testing.T) {
	t.Parallel()
	e := newScopedEnv(t, false, certs.DNSConfig{})
	tests := []struct {
		name     string
		wildcard bool // order *.base and base
		policy   bool // the record has policy=wildcard
		noRecord bool
		fault    string // the CA's reason when the order fails
	}{
		{name: "a name"},
		{name: "a wildcard, with policy=wildcard", wildcard: true, policy: true},
		{name: "a wildcard, without policy=wildcard", wildcard: true, fault: "policy mismatch"},
		{name: "no record", noRecord: true, fault: "No TXT records found for DNS-PERSIST-01 challenge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := pebbletest.UniqueDomain("")
			host, opts := base, certs.ObtainOptions{Challenge: certs.ChallengeDNSPersist01}
			if tc.wildcard {
				host, opts.AltNames = "*."+base, []string{base}
			}
			rec, err := e.m.PersistRecord(ctxT(t), base, tc.policy)
			require.NoError(t, err)
			require.Equal(t, "_validation-persist."+base, rec.Name)
			require.Equal(t, tc.policy, strings.HasSuffix(rec.Value, "; policy=wildcard"))
			if !tc.noRecord {
				e.srv.AddTXT(rec.Name, rec.Value)
			}

			h, err := e.m.Obtain(ctxT(t), host, opts)
			if tc.fault != "" {
				require.ErrorIs(t, err, certs.ErrValidationFailed)
				require.NotErrorIs(t, err, certs.ErrNoDNSProvider)
				got, gerr := e.m.Get(ctxT(t), host)
				require.NoError(t, gerr)
				require.NotEmpty(t, got.ValidationErrors)
				p := got.ValidationErrors[0]
				require.Equal(t, certs.ChallengeDNSPersist01, p.Challenge)
				require.Contains(t, p.Detail, tc.fault, "the CA's reason")
				require.Contains(t, p.Hint, rec.Name, "the hint names the record to add")
				js, jerr := json.Marshal(got)
				require.NoError(t, jerr)
				require.Contains(t, string(js), `"validation_errors"`)
				return
			}
			require.NoError(t, err)
			require.Equal(t, certs.StatusActive, h.Status)
			require.Equal(t, certs.ChallengeDNSPersist01, h.ACME.Options.Challenge)
			r, err := e.m.Renew(ctxT(t), host, certs.RenewOptions{})
			require.NoError(t, err, "renewal needs nothing but the record")
			require.NotNil(t, r.ACME.RenewedFrom)
			require.NotEqual(t, h.ACME.Serial, r.ACME.Serial)
		})
	}
}

// Request with dns-persist-01 needs no DNS provider either; the scheduler
// issues it.
func TestPersistRequestWithoutDNSProvider(t *testing.T) {
	t.Parallel()
	e := newScopedEnv(t, false, certs.DNSConfig{})
	host := pebbletest.UniqueDomain("")
	rec, err := e.m.PersistRecord(ctxT(t), host, false)
	require.NoError(t, err)
	e.srv.AddTXT(rec.Name, rec.Value)
	h, err := e.m.Request(ctxT(t), host, certs.ObtainOptions{Challenge: certs.ChallengeDNSPersist01})
	require.NoError(t, err)
	require.Equal(t, certs.StatusPendingValidation, h.Status)
	require.Equal(t, certs.ChallengeDNSPersist01, h.Pending.Options.Challenge)
	e.m.RenewDue(ctxT(t))
	got, err := e.m.Get(ctxT(t), host)
	require.NoError(t, err)
	require.Equal(t, certs.StatusActive, got.Status)
	require.Nil(t, got.Pending)
}

// persistDNS is a loopback DNS server for the Manager's checks: zone
// example.com for customers' names, platform.net for the platform, whose
// edge (its CNAME target) is a CDN at other addresses.
func persistDNS(t *testing.T) (*dnstest.Server, certs.DNSConfig) {
	t.Helper()
	srv := dnstest.Start(t, dnstest.Zone{Name: "example.com"},
		dnstest.Zone{Name: "platform.net", Records: []string{"edge A 198.51.100.20"}})
	cfg := certs.DNSConfig{OfferPersist: true, PreflightObtain: true,
		Resolvers: []string{srv.Addr()}, NameserverPort: srv.Port(), Timeout: 2 * time.Second}
	cfg.A, cfg.CNAME = []string{"203.0.113.10"}, "edge.platform.net"
	return srv, cfg
}

// Check shows the exact dns-persist-01 record to add and verifies it.
func TestCheckPersistRecord(t *testing.T) {
	t.Parallel()
	dns, cfg := persistDNS(t)
	e := newScopedEnv(t, false, cfg)
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("example.com")
	leaf := testpki.NewCA(t).Leaf(t, []string{host}, testpki.LeafOptions{})
	_, err := e.m.Import(ctx, host, certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)

	res, err := e.m.Check(ctx, host)
	require.NoError(t, err)
	rec, err := e.m.PersistRecord(ctx, host, false)
	require.NoError(t, err)
	require.Equal(t, rec, res.Host.DNSRequirements.Persist, "the requirements show the record")
	req, err := e.m.Requirements(host)
	require.NoError(t, err)
	require.Equal(t, rec, req.Persist)
	require.False(t, res.DNS.PersistTXTConfigured)
	require.False(t, res.Host.LastCheck.PersistTXTConfigured)
	var found bool
	for _, v := range res.Host.LastCheck.ValidationErrors {
		if v.Code == "missing_persist_txt" {
			found = true
			require.Contains(t, v.Message, rec.Name)
			require.Contains(t, v.Message, rec.Value)
			require.Equal(t, rec.Value, v.Record.Value)
		}
	}
	require.True(t, found, "a validation error names the record to add: %v", res.Host.LastCheck.ValidationErrors)

	dns.Add(rec.Name + `. TXT "` + rec.Value + `"`)
	res, err = e.m.Check(ctx, host)
	require.NoError(t, err)
	require.True(t, res.DNS.PersistTXTConfigured)
	require.True(t, res.Host.LastCheck.PersistTXTConfigured)
	require.Equal(t, []string{rec.Value}, res.DNS.Records.PersistTXT)
	js, err := json.Marshal(res.Host)
	require.NoError(t, err)
	require.Contains(t, string(js), `"persist_txt_configured":true`)
}

// With DNS requirements configured, an order whose caller names no
// challenge gets the one the names' DNS allows, and the stored
// certificate or pending order says which and why.
func TestChallengeChosenFromDNS(t *testing.T) {
	t.Parallel()
	dns, cfg := persistDNS(t)
	tests := []struct {
		name     string
		records  func(host string) []string
		provider bool
		persist  bool // the persist record is in place
		wildcard bool
		request  bool // Request (the order stays pending), else Obtain
		want     certs.ChallengeType
		why      string // in the reason
	}{
		{name: "points here directly: tls-alpn-01", records: func(h string) []string { return []string{h + ". A 203.0.113.10"} },
			want: certs.ChallengeTLSALPN01, why: "points here directly (203.0.113.10)"},
		{name: "through the platform's CDN: http-01", records: func(h string) []string { return []string{h + ". CNAME edge.platform.net."} },
			want: certs.ChallengeHTTP01, why: "through edge.platform.net at other addresses (198.51.100.20)"},
		{name: "not pointing here, a DNS provider: dns-01", provider: true,
			want: certs.ChallengeDNS01, why: "a DNS provider presents"},
		{name: "the persist record in place: dns-persist-01", persist: true,
			records: func(h string) []string { return []string{h + ". A 203.0.113.10"} },
			want:    certs.ChallengeDNSPersist01, why: "no DNS provider is needed"},
		{name: "not pointing here, no provider: http-01, waiting", request: true,
			want: certs.ChallengeHTTP01, why: "does not point here yet"},
		{name: "a wildcard without provider: dns-persist-01, waiting", wildcard: true, request: true,
			want: certs.ChallengeDNSPersist01, why: "waits for the _validation-persist record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newScopedEnv(t, tc.provider, cfg)
			host := pebbletest.UniqueDomain("example.com")
			if tc.records != nil {
				dns.Add(tc.records(host)...)
			}
			if tc.persist {
				rec, err := e.m.PersistRecord(ctxT(t), host, false)
				require.NoError(t, err)
				e.srv.AddTXT(rec.Name, rec.Value)
				dns.Add(rec.Name + `. TXT "` + rec.Value + `"`)
			}
			if tc.wildcard {
				host = "*." + host
			}
			var h *certs.Host
			var err error
			if tc.request {
				h, err = e.m.Request(ctxT(t), host, certs.ObtainOptions{})
			} else {
				h, err = e.m.Obtain(ctxT(t), host, certs.ObtainOptions{})
			}
			require.NoError(t, err)
			stored, err := e.reopen(t).Get(ctxT(t), host)
			require.NoError(t, err)
			var opts certs.ACMEOptions
			if tc.request {
				opts = stored.Pending.Options
			} else {
				require.Equal(t, certs.StatusActive, h.Status)
				opts = *stored.ACME.Options
			}
			require.Equal(t, tc.want, opts.Challenge)
			require.True(t, strings.HasPrefix(opts.ChallengeReason, string(tc.want)+": "), opts.ChallengeReason)
			require.Contains(t, opts.ChallengeReason, tc.why)
		})
	}
}

// Without DNS requirements the default stays (http-01, dns-01 for a
// wildcard) and no reason is given; an explicit challenge is never
// second-guessed; a missing persist record is refused before ordering
// under PreflightObtain.
func TestChallengeDefaultsAndPreflight(t *testing.T) {
	t.Parallel()
	plain := newScopedEnv(t, false, certs.DNSConfig{})
	dnsSrv, cfg := persistDNS(t)
	checked := newScopedEnv(t, false, cfg)
	host := pebbletest.UniqueDomain("example.com")
	dnsSrv.Add(host + ". A 203.0.113.10")
	tests := []struct {
		name   string
		m      *certs.Manager
		host   string
		opts   certs.ObtainOptions
		obtain bool // Obtain, else Request
		want   certs.ChallengeType
		err    error
	}{
		{name: "no requirements: http-01", m: plain.m, host: pebbletest.UniqueDomain(""), want: certs.ChallengeHTTP01},
		{name: "no requirements, a wildcard: dns-01 needs a provider", m: plain.m, host: "*." + pebbletest.UniqueDomain(""),
			err: certs.ErrNoDNSProvider},
		{name: "an explicit challenge is kept", m: checked.m, host: host,
			opts: certs.ObtainOptions{Challenge: certs.ChallengeHTTP01}, want: certs.ChallengeHTTP01},
		{name: "dns-persist-01 without its record: refused early", m: checked.m, host: pebbletest.UniqueDomain("example.com"),
			opts: certs.ObtainOptions{Challenge: certs.ChallengeDNSPersist01}, obtain: true, err: certs.ErrPersistRecordMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			do := tc.m.Request
			if tc.obtain {
				do = tc.m.Obtain
			}
			h, err := do(ctxT(t), tc.host, tc.opts)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, h.Pending.Options.Challenge)
			require.Empty(t, h.Pending.Options.ChallengeReason)
		})
	}
}
