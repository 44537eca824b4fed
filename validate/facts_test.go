package validate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

func TestFactsOf(t *testing.T) {
	ca := testpki.NewCA(t)
	tests := []struct {
		kt       testpki.KeyType
		keyType  string
		keyBits  int
		selfSign bool
	}{
		{testpki.ECDSAP256, "ecdsa", 256, false},
		{testpki.ECDSAP384, "ecdsa", 384, false},
		{testpki.RSA2048, "rsa", 2048, false},
		{testpki.RSA4096, "rsa", 4096, false},
		{testpki.Ed25519, "ed25519", 256, false},
		{testpki.ECDSAP256, "ecdsa", 256, true},
	}
	for _, tc := range tests {
		t.Run(tc.kt.String(), func(t *testing.T) {
			opts := testpki.LeafOptions{KeyType: tc.kt, CommonName: "cn.test"}
			var l *testpki.Leaf
			if tc.selfSign {
				l = testpki.SelfSigned(t, []string{"a.test", "192.0.2.7"}, opts)
			} else {
				l = ca.Leaf(t, []string{"a.test", "192.0.2.7"}, opts)
			}
			f := FactsOf(l.Cert)
			sum := sha256.Sum256(l.Cert.Raw)
			require.Equal(t, "cn.test", f.CommonName)
			require.Equal(t, []string{"a.test", "192.0.2.7"}, f.SANs)
			require.Equal(t, l.Cert.Issuer.String(), f.Issuer)
			require.Equal(t, l.Cert.SerialNumber.Text(16), f.Serial)
			require.True(t, f.NotBefore.Equal(l.Cert.NotBefore))
			require.True(t, f.NotAfter.Equal(l.Cert.NotAfter))
			require.Equal(t, tc.keyType, f.KeyType)
			require.Equal(t, tc.keyBits, f.KeyBits)
			require.Equal(t, l.Cert.SignatureAlgorithm.String(), f.SignatureAlgorithm)
			require.Equal(t, hex.EncodeToString(sum[:]), f.FingerprintSHA256)
			require.Equal(t, tc.selfSign, f.SelfSigned)
		})
	}
}

func TestFactsJSON(t *testing.T) {
	l := testpki.NewCA(t).Leaf(t, nil, testpki.LeafOptions{CommonName: "only-cn.test", OmitSANs: true})
	r := Certificate(l.Cert, nil, nil, Options{Roots: testpki.NewCA(t).Pool()})
	j, err := json.Marshal(r)
	require.NoError(t, err)
	var decoded struct {
		Valid    bool             `json:"valid"`
		Warnings []map[string]any `json:"warnings"`
		Facts    map[string]any   `json:"facts"`
	}
	require.NoError(t, json.Unmarshal(j, &decoded))
	require.Equal(t, []any{}, decoded.Facts["sans"], "no SANs encode as [], not null")
	require.Equal(t, "only-cn.test", decoded.Facts["common_name"])
	require.Len(t, decoded.Warnings, 1)
	require.Equal(t, WarnIncompleteChain, decoded.Warnings[0]["code"])
	require.Equal(t, Facts{SANs: []string{}}, FactsOf(nil))
}
