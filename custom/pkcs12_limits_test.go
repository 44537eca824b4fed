package custom

import (
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
	"software.sslmate.com/src/go-pkcs12"
)

func TestPKCS12IterationLimits(t *testing.T) {
	l := testpki.NewCA(t).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	encode := func(enc *pkcs12.Encoder) []byte {
		pfx, err := enc.Encode(l.Key, l.Cert, nil, "pw")
		require.NoError(t, err)
		return pfx
	}
	modern := encode(pkcs12.Modern2023) // PBES2 key and certs (2048 each), HMAC MAC (2048)
	pbmac1 := encode(pkcs12.Modern2026) // PBES2 and a PBMAC1 MAC (2048 each)
	legacy := encode(pkcs12.LegacyDES)  // PKCS#12 PBE (2048 each), MAC with 1 iteration
	tests := []struct {
		name   string
		der    []byte
		limits iterationLimits
		ok     bool
	}{
		{"OpenSSL 3 default within the limits", fixture(t, "leaf.pfx"), iterationLimits{maxPKCS12Iterations, maxPKCS12TotalIterations}, true},
		{"OpenSSL legacy within the limits", fixture(t, "leaf-legacy.pfx"), iterationLimits{maxPKCS12Iterations, maxPKCS12TotalIterations}, true},
		{"two million iterations", fixture(t, "leaf-many-iterations.pfx"), iterationLimits{maxPKCS12Iterations, maxPKCS12TotalIterations}, false},
		{"not DER is left to the decoder", []byte("garbage"), iterationLimits{1, 1}, true},
		{"HMAC MAC count seen", modern, iterationLimits{2047, 1 << 30}, false},
		{"PBMAC1 count seen", pbmac1, iterationLimits{2047, 1 << 30}, false},
		{"PKCS#12 PBE count seen", legacy, iterationLimits{2047, 1 << 30}, false},
		{"legacy at its counts", legacy, iterationLimits{2048, 2 * 2048}, true},
		{"sum over the total", legacy, iterationLimits{2048, 2*2048 - 1}, false},
		{"modern at its counts", modern, iterationLimits{2048, 3 * 2048}, true},
		{"PBMAC1 at its counts", pbmac1, iterationLimits{2048, 3 * 2048}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.limits.check(tc.der)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrUnsupportedFormat)
			require.Contains(t, err.Error(), "export it again with default settings")
		})
	}
}
