package acme

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
)

func TestIssuerDomain(t *testing.T) {
	tests := []struct {
		name       string
		configured string
		caa        []string
		want       string
		err        error
	}{
		{"configured first", "CA.example.", []string{"letsencrypt.org"}, "ca.example", nil},
		{"else the first CAA identity", "", []string{" LetsEncrypt.org. ", "other.example"}, "letsencrypt.org", nil},
		{"blank identities skipped", "", []string{"", "ca.example"}, "ca.example", nil},
		{"none known", "", nil, "", ErrNoIssuerDomain},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := issuerDomain(tc.configured, tc.caa)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestChallengeName(t *testing.T) {
	const uri = "https://ca.test/acme/acct/1"
	label := accountLabel(uri)
	require.Len(t, label, 16, "10 bytes in base32, no padding")
	require.Regexp(t, "^[a-z2-7]+$", label)
	require.NotEqual(t, label, accountLabel(uri+"2"), "one label per account")
	tests := []struct {
		challenge certs.ChallengeType
		want      string
	}{
		{certs.ChallengeDNS01, "_acme-challenge.example.com"},
		{certs.ChallengeDNSAccount01, "_" + label + "._acme-challenge.example.com"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, challengeName(tc.challenge, uri, "example.com"), tc.challenge)
	}
}
