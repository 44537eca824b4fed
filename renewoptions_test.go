package certs_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/internal/testpki"
)

// TestObtainWithOtherOptionsOrdersAnew: Obtain again with the current
// certificate's options (or none) returns it; another key type, challenge
// or profile orders a new certificate with them.
func TestObtainWithOtherOptionsOrdersAnew(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	host := pebbletest.UniqueDomain("")
	tests := []struct {
		name      string
		opts      certs.ObtainOptions
		newOrder  bool
		keyType   string
		challenge certs.ChallengeType
		profile   string
	}{
		{"first order, defaults", certs.ObtainOptions{}, true, "ecdsa", certs.ChallengeHTTP01, ""},
		{"same again", certs.ObtainOptions{}, false, "ecdsa", certs.ChallengeHTTP01, ""},
		{"ec256 is the current key type", certs.ObtainOptions{KeyType: certs.KeyEC256}, false, "ecdsa", certs.ChallengeHTTP01, ""},
		{"another key type", certs.ObtainOptions{KeyType: certs.KeyRSA2048}, true, "rsa", certs.ChallengeHTTP01, ""},
		{"empty options match any", certs.ObtainOptions{}, false, "rsa", certs.ChallengeHTTP01, ""},
		{"another challenge", certs.ObtainOptions{Challenge: certs.ChallengeTLSALPN01}, true, "ecdsa", certs.ChallengeTLSALPN01, ""},
		{"another profile", certs.ObtainOptions{Profile: "tlsserver"}, true, "ecdsa", certs.ChallengeHTTP01, "tlsserver"},
		{"same profile", certs.ObtainOptions{Profile: "tlsserver"}, false, "ecdsa", certs.ChallengeHTTP01, "tlsserver"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.orders.issued.Load()
			h, err := e.m.Obtain(ctxT(t), host, tc.opts)
			require.NoError(t, err)
			want := before
			if tc.newOrder {
				want++
			}
			require.Equal(t, want, e.orders.issued.Load())
			require.Equal(t, tc.keyType, h.ACME.KeyType)
			require.Equal(t, tc.challenge, h.ACME.Options.Challenge)
			require.Equal(t, tc.profile, h.ACME.Options.Profile)
			require.Equal(t, h.ACME.Serial, fmt.Sprintf("%x", leafOf(t, e.m, host).SerialNumber), "the new certificate is served")
			require.Nil(t, h.Pending)
		})
	}
	h := e.get(t, host)
	require.Equal(t, 90*24*time.Hour, h.ACME.NotAfter.Sub(h.ACME.NotBefore).Round(time.Hour), "the tlsserver profile's lifetime")
}

// TestRenewAppliesAndKeepsOptions: what a Renew changes is used for that
// renewal and kept for the later ones; bad options change nothing.
func TestRenewAppliesAndKeepsOptions(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	_, err := e.m.Obtain(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	off := false
	tests := []struct {
		name      string
		opts      certs.RenewOptions
		keyType   string
		challenge certs.ChallengeType
		profile   string
		autoRenew bool
	}{
		{"key type", certs.RenewOptions{KeyType: certs.KeyRSA2048}, "rsa", certs.ChallengeHTTP01, "", true},
		{"plain renewal keeps it", certs.RenewOptions{}, "rsa", certs.ChallengeHTTP01, "", true},
		{"challenge and profile", certs.RenewOptions{Challenge: certs.ChallengeTLSALPN01, Profile: "tlsserver"}, "rsa", certs.ChallengeTLSALPN01, "tlsserver", true},
		{"plain renewal keeps them", certs.RenewOptions{}, "rsa", certs.ChallengeTLSALPN01, "tlsserver", true},
		{"auto-renew off", certs.RenewOptions{AutoRenew: &off, KeyType: certs.KeyEC384}, "ecdsa", certs.ChallengeTLSALPN01, "tlsserver", false},
		{"plain renewal keeps everything", certs.RenewOptions{}, "ecdsa", certs.ChallengeTLSALPN01, "tlsserver", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.get(t, host).ACME
			h, err := e.m.Renew(ctxT(t), host, tc.opts)
			require.NoError(t, err)
			require.NotEqual(t, before.Serial, h.ACME.Serial)
			require.NotNil(t, h.ACME.RenewedFrom)
			require.Equal(t, tc.keyType, h.ACME.KeyType)
			require.Equal(t, tc.challenge, h.ACME.Options.Challenge)
			require.Equal(t, tc.profile, h.ACME.Options.Profile)
			require.Equal(t, tc.autoRenew, h.ACME.AutoRenew)
			require.Equal(t, h.ACME.Serial, fmt.Sprintf("%x", leafOf(t, e.m, host).SerialNumber))
		})
	}
	require.Equal(t, certs.KeyEC384, e.get(t, host).ACME.Options.KeyType)

	bad := []struct {
		name string
		opts certs.RenewOptions
		want error
	}{
		{"bad key type", certs.RenewOptions{KeyType: "rsa1024"}, certs.ErrInvalidKeyType},
		{"bad challenge", certs.RenewOptions{Challenge: "smtp-01"}, certs.ErrInvalidChallenge},
		{"provider twice", certs.RenewOptions{DNSProvider: e.dns, DNSProviderName: "x"}, certs.ErrInvalidDNSProviderOptions},
		{"credentials without a name", certs.RenewOptions{DNSCredentials: certs.DNSCredentials{"apiToken": "t0ken"}}, certs.ErrInvalidDNSProviderOptions},
		{"named provider without a factory", certs.RenewOptions{DNSProviderName: "cloudflare"}, certs.ErrNoDNSProviderFactory},
	}
	orders := e.orders.issued.Load()
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.m.Renew(ctxT(t), host, tc.opts)
			require.ErrorIs(t, err, tc.want)
		})
	}
	require.Equal(t, orders, e.orders.issued.Load(), "refused renewals place no order")
	require.Equal(t, certs.KeyEC384, e.get(t, host).ACME.Options.KeyType, "and change nothing")
}

// TestSetAutoRenew switches automatic renewal off (the scheduler leaves a
// due certificate alone) and on again (it renews it), without renewing.
func TestSetAutoRenew(t *testing.T) {
	e := newOrderEnv(t, orderEnvOpts{})
	ctx := ctxT(t)
	host := pebbletest.UniqueDomain("")
	first, err := e.m.Obtain(ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	h, err := e.m.SetAutoRenew(ctx, host, false)
	require.NoError(t, err)
	require.False(t, h.ACME.AutoRenew)
	require.Equal(t, first.ACME.Serial, h.ACME.Serial, "nothing renewed")
	st, err := e.m.Status(ctx, host)
	require.NoError(t, err)
	require.False(t, st.AutoRenew)

	// The CA says: renew now (an ARI window that is already open).
	start, end := e.clock.Now().Add(-time.Hour), e.clock.Now().Add(-time.Minute)
	require.NoError(t, e.srv.SetRenewalInfo(ctx, []byte(first.ACME.ChainPEM),
		fmt.Sprintf(`{"suggestedWindow":{"start":%q,"end":%q}}`, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))))
	e.m.RenewDue(ctx)
	require.EqualValues(t, 1, e.orders.issued.Load(), "auto-renew is off")

	h, err = e.m.SetAutoRenew(ctx, host, true)
	require.NoError(t, err)
	require.True(t, h.ACME.AutoRenew)
	e.m.RenewDue(ctx)
	require.EqualValues(t, 2, e.orders.issued.Load(), "renewed once switched on")
	renewed := e.get(t, host)
	require.NotEqual(t, first.ACME.Serial, renewed.ACME.Serial)
	require.True(t, renewed.ACME.AutoRenew, "kept by the renewal")

	ca := testpki.NewCA(t)
	leaf := ca.Leaf(t, []string{"custom.example.com"}, testpki.LeafOptions{})
	_, err = e.m.Import(ctx, "custom.example.com", certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
	require.NoError(t, err)
	for _, tc := range []struct {
		host string
		want error
	}{
		{"unknown.example.com", certs.ErrNotFound},
		{"custom.example.com", certs.ErrNoCertificateForSource},
		{"bad..name", certs.ErrInvalidHostname},
	} {
		t.Run(tc.host, func(t *testing.T) {
			_, err := e.m.SetAutoRenew(ctx, tc.host, true)
			require.ErrorIs(t, err, tc.want)
		})
	}
}
