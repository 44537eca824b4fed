package certs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/dnsprovider"
	"github.com/certs-dev/certs/store"
)

// leakySecret is a credential value that a careless factory quotes in its
// error.
const leakySecret = "tok-3f9a1c2b7d"

// refusingManager is a Manager whose CA is never contacted: every call in
// the tests that use it is refused before an order would be placed.
func refusingManager(t *testing.T, factory func(string, map[string]string) (certs.DNSProvider, error)) *certs.Manager {
	t.Helper()
	iss, err := acme.New(acme.Config{DirectoryURL: "https://127.0.0.1:1/dir", AgreeTOS: true, Store: store.NewMemory(), Logger: quiet()})
	require.NoError(t, err)
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss, Logger: quiet(), NewDNSProvider: factory})
	require.NoError(t, err)
	return m
}

// factory builds dnsprovider's providers, and "leaky", whose error quotes
// its credentials.
func factory(name string, creds map[string]string) (certs.DNSProvider, error) {
	if name == "leaky" {
		return nil, fmt.Errorf("token %q rejected", creds["apiToken"])
	}
	return dnsprovider.New(name, creds)
}

// TestRequestRefusesWhatObtainRefuses: Request checks what Obtain checks
// without network, with the same typed errors, and stores nothing.
func TestRequestRefusesWhatObtainRefuses(t *testing.T) {
	m := refusingManager(t, factory)
	noFactory := refusingManager(t, nil)
	leaky := certs.DNSCredentials{"apiToken": leakySecret}
	obj := &pebbleDNS{}
	tests := []struct {
		name string
		m    *certs.Manager
		host string
		opts certs.ObtainOptions
		want error
	}{
		{"bad hostname", m, "a..test", certs.ObtainOptions{}, certs.ErrInvalidHostname},
		{"bad alt name", m, "a.test", certs.ObtainOptions{AltNames: []string{"a/b"}}, certs.ErrInvalidHostname},
		{"wildcard over http-01", m, "*.a.test", certs.ObtainOptions{Challenge: certs.ChallengeHTTP01}, certs.ErrWildcardNeedsDNS01},
		{"bad challenge", m, "a.test", certs.ObtainOptions{Challenge: "smtp-01"}, certs.ErrInvalidChallenge},
		{"bad key type", m, "a.test", certs.ObtainOptions{KeyType: "rsa1024"}, certs.ErrInvalidKeyType},
		{"dns-01 without a provider", m, "*.a.test", certs.ObtainOptions{}, certs.ErrNoDNSProvider},
		{"named provider without a factory", noFactory, "*.a.test", certs.ObtainOptions{DNSProviderName: "cloudflare", DNSCredentials: leaky}, certs.ErrNoDNSProviderFactory},
		{"unknown provider name", m, "*.a.test", certs.ObtainOptions{DNSProviderName: "nope"}, dnsprovider.ErrUnknownProvider},
		{"object and name", m, "*.a.test", certs.ObtainOptions{DNSProvider: obj, DNSProviderName: "cloudflare"}, certs.ErrInvalidDNSProviderOptions},
		{"credentials without a name", m, "a.test", certs.ObtainOptions{DNSCredentials: leaky}, certs.ErrInvalidDNSProviderOptions},
	}
	for _, tc := range tests {
		for _, call := range []string{"Obtain", "Request"} {
			t.Run(call+" "+tc.name, func(t *testing.T) {
				ctx := context.Background()
				var err error
				if call == "Obtain" {
					_, err = tc.m.Obtain(ctx, tc.host, tc.opts)
				} else {
					_, err = tc.m.Request(ctx, tc.host, tc.opts)
				}
				require.ErrorIs(t, err, tc.want)
				require.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), leakySecret)
				if tc.want != certs.ErrInvalidHostname {
					_, err = tc.m.Get(ctx, tc.host)
					require.ErrorIs(t, err, certs.ErrNotFound, "nothing stored")
				}
			})
		}
	}
}

// TestDNSProviderFactoryErrors: the factory's errors are wrapped (typed
// errors still match) and never show the credentials; a provider object
// cannot be given to Request; Request without an issuer is ErrNoIssuer.
func TestDNSProviderFactoryErrors(t *testing.T) {
	m := refusingManager(t, factory)
	ctx := context.Background()

	_, err := m.Obtain(ctx, "*.a.test", certs.ObtainOptions{DNSProviderName: "cloudflare", DNSCredentials: certs.DNSCredentials{"apiToken": ""}})
	var cerr *dnsprovider.CredentialError
	require.True(t, errors.As(err, &cerr), "got %v", err)
	require.Equal(t, "apiToken", cerr.Field)
	require.Contains(t, err.Error(), `"cloudflare"`)

	_, err = m.Request(ctx, "*.a.test", certs.ObtainOptions{DNSProviderName: "leaky", DNSCredentials: certs.DNSCredentials{"apiToken": leakySecret}})
	require.Error(t, err)
	require.Contains(t, err.Error(), "rejected", "the factory's message is kept")
	require.Contains(t, err.Error(), `"leaky"`)
	require.NotContains(t, fmt.Sprintf("%v %+v %#v %s", err, err, err, errors.Unwrap(err)), leakySecret)

	_, err = m.Request(ctx, "*.a.test", certs.ObtainOptions{DNSProvider: &pebbleDNS{}})
	require.ErrorIs(t, err, certs.ErrInvalidDNSProviderOptions)
	require.Contains(t, err.Error(), "DNSProviderName")

	none, err := certs.New(certs.Config{Store: store.NewMemory(), Logger: quiet()})
	require.NoError(t, err)
	_, err = none.Request(ctx, "a.test", certs.ObtainOptions{})
	require.ErrorIs(t, err, certs.ErrNoIssuer)
	_, err = none.SetAutoRenew(ctx, "a.test", true)
	require.ErrorIs(t, err, certs.ErrNotFound)
}
