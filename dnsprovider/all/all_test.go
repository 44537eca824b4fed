package all_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/dnsprovider"
	"github.com/certs-dev/certs/dnsprovider/all"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name     string
		provider string
		creds    map[string]string
		want     error
	}{
		{"route53", "route53", map[string]string{"accessKeyId": "AKID", "secretAccessKey": "s", "region": "us-east-1"}, nil},
		{"aws alias", "AWS", map[string]string{"accessKeyId": "AKID", "secretAccessKey": "s"}, nil},
		{"cloudflare through dnsprovider.New", "cloudflare", map[string]string{"apiToken": "t"}, nil},
		{"gcloud needs valid credentials", "gcloud", map[string]string{"projectId": "p", "credentials": "{}"}, dnsprovider.ErrInvalidCredentials},
		{"route53 missing field", "route53", map[string]string{"accessKeyId": "AKID"}, dnsprovider.ErrInvalidCredentials},
		{"unknown", "bind", nil, dnsprovider.ErrUnknownProvider},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := all.New(tc.provider, tc.creds)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, p)
		})
	}
}
