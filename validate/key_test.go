package validate

import (
	"crypto"
	"crypto/ed25519"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

func TestKeyMatches(t *testing.T) {
	ca := testpki.NewCA(t)
	leaves := map[testpki.KeyType]*testpki.Leaf{}
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.ECDSAP384, testpki.RSA2048, testpki.RSA512, testpki.Ed25519} {
		leaves[kt] = ca.Leaf(t, []string{"a.test"}, testpki.LeafOptions{KeyType: kt})
	}
	ec := leaves[testpki.ECDSAP256]
	otherEC := ca.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	edKey := leaves[testpki.Ed25519].Key.(ed25519.PrivateKey)
	tests := []struct {
		name string
		leaf *testpki.Leaf
		key  crypto.PrivateKey
		want bool
	}{
		{"ECDSA P-256", ec, ec.Key, true},
		{"ECDSA P-384", leaves[testpki.ECDSAP384], leaves[testpki.ECDSAP384].Key, true},
		{"RSA 2048", leaves[testpki.RSA2048], leaves[testpki.RSA2048].Key, true},
		{"RSA 512", leaves[testpki.RSA512], leaves[testpki.RSA512].Key, true},
		{"Ed25519 value", leaves[testpki.Ed25519], edKey, true},
		{"Ed25519 pointer", leaves[testpki.Ed25519], &edKey, true},
		{"another key of the same type", ec, otherEC.Key, false},
		{"a key of another type", ec, leaves[testpki.RSA2048].Key, false},
		{"nil key", ec, nil, false},
		{"not a key", ec, []byte("key"), false},
		{"a public key", ec, ec.Key.Public(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, KeyMatches(tc.leaf.Cert, tc.key))
		})
	}
	require.False(t, KeyMatches(nil, ec.Key))
}
