package custom

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

func TestBundlePEM(t *testing.T) {
	inter := testpki.NewCA(t).Intermediate(t)
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048, testpki.Ed25519} {
		t.Run(kt.String(), func(t *testing.T) {
			l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{KeyType: kt})
			b, err := Parse(Input{Certificate: l.ChainPEM(), PrivateKey: testpki.KeyDER(t, l.Key)})
			require.NoError(t, err)
			require.Equal(t, l.ChainPEM(), b.ChainPEM())

			keyPEM, err := b.KeyPEM()
			require.NoError(t, err)
			block, rest := pem.Decode(keyPEM)
			require.Empty(t, rest)
			require.Equal(t, "PRIVATE KEY", block.Type)
			// Round trip: the PEM pair is accepted by crypto/tls.
			_, err = tls.X509KeyPair(b.ChainPEM(), keyPEM)
			require.NoError(t, err)
		})
	}
}

func TestBundleErrors(t *testing.T) {
	l := testpki.NewCA(t).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	_, err := (&Bundle{Leaf: l.Cert}).KeyPEM()
	require.ErrorIs(t, err, ErrNoPrivateKey)
	_, err = (&Bundle{Leaf: l.Cert}).TLSCertificate()
	require.ErrorIs(t, err, ErrNoPrivateKey)
	_, err = (&Bundle{PrivateKey: l.Key}).TLSCertificate()
	require.ErrorIs(t, err, ErrNoCertificate)
	require.Empty(t, (&Bundle{}).ChainPEM())
}

// TestTLSCertificateHandshake serves a parsed bundle in a real TLS
// handshake and checks the client verifies the chain.
func TestTLSCertificateHandshake(t *testing.T) {
	inter := testpki.NewCA(t).Intermediate(t)
	l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	b, err := Parse(Input{Certificate: l.CertPEM(), Chain: inter.CertPEM(), PrivateKey: l.KeyPEM()})
	require.NoError(t, err)
	cert, err := b.TLSCertificate()
	require.NoError(t, err)
	require.Same(t, b.Leaf, cert.Leaf)
	require.Len(t, cert.Certificate, 2)

	serverConn, clientConn := net.Pipe()
	defer clientConn.Close()
	done := make(chan error, 1)
	go func() {
		defer serverConn.Close()
		done <- tls.Server(serverConn, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
	}()
	client := tls.Client(clientConn, &tls.Config{ServerName: "a.test", RootCAs: inter.Pool()})
	require.NoError(t, client.Handshake())
	require.NoError(t, <-done)
	chains := client.ConnectionState().VerifiedChains
	require.NotEmpty(t, chains)
	require.Equal(t, []*x509.Certificate{l.Cert, inter.Cert, inter.Root().Cert}, chains[0])
}
