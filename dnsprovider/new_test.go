package dnsprovider_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/dnsprovider"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name     string
		provider string
		creds    map[string]string
		want     error  // errors.Is target; nil means success
		field    string // CredentialError.Field
		msg      string
	}{
		{"cloudflare", "cloudflare", map[string]string{"apiToken": "t"}, nil, "", ""},
		{"name is case-insensitive", "CloudFlare", map[string]string{"apiToken": "t"}, nil, "", ""},
		{"digitalocean", "digitalocean", map[string]string{"apiToken": "t"}, nil, "", ""},
		{"godaddy", "godaddy", map[string]string{"apiKey": "k", "apiSecret": "s"}, nil, "", ""},
		{"missing field", "cloudflare", map[string]string{}, dnsprovider.ErrInvalidCredentials, "apiToken",
			`dnsprovider: cloudflare credentials: field "apiToken" is missing; cloudflare takes apiToken`},
		{"empty field", "godaddy", map[string]string{"apiKey": "k", "apiSecret": ""}, dnsprovider.ErrInvalidCredentials, "apiSecret",
			`dnsprovider: godaddy credentials: field "apiSecret" is empty; godaddy takes apiKey, apiSecret`},
		{"extra field", "digitalocean", map[string]string{"apiToken": "t", "token": "u"}, dnsprovider.ErrInvalidCredentials, "token",
			`dnsprovider: digitalocean credentials: field "token" is not a digitalocean credential; digitalocean takes apiToken`},
		{"nil map", "godaddy", nil, dnsprovider.ErrInvalidCredentials, "apiKey", ""},
		{"unknown provider", "bind", map[string]string{}, dnsprovider.ErrUnknownProvider, "",
			`dnsprovider: unknown DNS provider "bind"; use cloudflare, digitalocean, godaddy, route53 (aws) or gcloud`},
		{"route53 lives elsewhere", "route53", map[string]string{}, dnsprovider.ErrNeedsSubpackage, "", ""},
		{"aws alias lives elsewhere", "aws", map[string]string{}, dnsprovider.ErrNeedsSubpackage, "", ""},
		{"gcloud lives elsewhere", "gcloud", map[string]string{}, dnsprovider.ErrNeedsSubpackage, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := dnsprovider.New(tc.provider, tc.creds)
			if tc.want == nil {
				require.NoError(t, err)
				_, ok := p.(dnsprovider.TimeoutProvider)
				require.True(t, ok, "lego's providers have timeouts")
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, p)
			if tc.field != "" {
				var ce *dnsprovider.CredentialError
				require.True(t, errors.As(err, &ce))
				require.Equal(t, tc.field, ce.Field)
			}
			if tc.msg != "" {
				require.EqualError(t, err, tc.msg)
			}
		})
	}
}

func TestSubpackageErrorNamesThePackage(t *testing.T) {
	_, err := dnsprovider.New("aws", nil)
	require.ErrorContains(t, err, "github.com/certs-dev/certs/dnsprovider/route53")
	require.ErrorContains(t, err, "dnsprovider/all")
}
