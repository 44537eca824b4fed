package certs

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/asn1"
	"strings"
	"testing"

	"github.com/certs-dev/certs/store"
	"github.com/stretchr/testify/require"
)

// alpnHello is the ClientHello of a CA validating TLS-ALPN-01 for name.
func alpnHello(name string) *tls.ClientHelloInfo {
	return &tls.ClientHelloInfo{ServerName: name, SupportedProtos: []string{acmeTLSALPNProto}}
}

// acmeIdentifier returns the key authorization digest in a TLS-ALPN-01
// challenge certificate.
func acmeIdentifier(t *testing.T, c *tls.Certificate) []byte {
	t.Helper()
	for _, ext := range c.Leaf.Extensions {
		if ext.Id.Equal(idPeAcmeIdentifier) {
			var sum []byte
			_, err := asn1.Unmarshal(ext.Value, &sum)
			require.NoError(t, err)
			return sum
		}
	}
	t.Fatal("no acmeIdentifier extension")
	return nil
}

// TestALPNChallengeFromAnotherReplica: a replica that answers TLS-ALPN-01
// challenges presented by another replica sharing the Store answers each
// new challenge with its own key authorization, never a cached old one.
func TestALPNChallengeFromAnotherReplica(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	presenter, err := New(Config{Store: st, Logger: quietLogger()})
	require.NoError(t, err)
	replica, err := New(Config{Store: st, Logger: quietLogger()})
	require.NoError(t, err)
	const domain = "alpn.example.com"
	for i, keyAuth := range []string{"token-1.thumb", "token-2.thumb", "token-2.thumb", "token-3.thumb"} {
		require.NoError(t, alpnSolver{presenter}.Present(ctx, domain, "tok", keyAuth))
		for _, m := range []*Manager{presenter, replica} {
			c, err := m.GetCertificate(alpnHello(domain))
			require.NoError(t, err, "challenge %d", i)
			want := sha256.Sum256([]byte(keyAuth))
			require.Equal(t, want[:], acmeIdentifier(t, c), "challenge %d answered with its own key authorization", i)
			require.Equal(t, []string{domain}, c.Leaf.DNSNames)
		}
		require.NoError(t, alpnSolver{presenter}.CleanUp(ctx, domain, "tok", keyAuth))
		_, err := replica.GetCertificate(alpnHello(domain))
		require.ErrorIs(t, err, ErrNotFound, "no challenge once cleaned up")
	}
}

func TestUnknownHostErrorIsBounded(t *testing.T) {
	m, err := New(Config{Store: store.NewMemory(), Logger: quietLogger()})
	require.NoError(t, err)
	for _, n := range []int{10, 300, 64 << 10} {
		sni := strings.Repeat("a", n)
		_, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: sni})
		require.ErrorIs(t, err, ErrUnknownHost)
		require.Less(t, len(err.Error()), 400, "error for a %d-byte server name", n)
		_, err = m.GetCertificate(alpnHello(sni))
		require.Error(t, err)
		require.Less(t, len(err.Error()), 500, "ALPN error for a %d-byte server name", n)
	}
}
