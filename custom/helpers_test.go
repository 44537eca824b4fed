package custom

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// fixture reads a file from testdata (see testdata/README.md).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// cat concatenates byte slices into a fresh one.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// subjects returns the CNs of the bundle's chain, leaf first.
func subjects(b *Bundle) []string {
	var out []string
	for _, c := range b.Certificates() {
		out = append(out, c.Subject.CommonName)
	}
	return out
}

// noteCodes returns the codes of the bundle's notes, in order.
func noteCodes(b *Bundle) []string {
	var out []string
	for _, n := range b.Notes {
		out = append(out, n.Code)
	}
	return out
}

// testParser is a parser with the default limits.
func testParser() *parser {
	return &parser{ctx: context.Background(), lim: Limits{}.withDefaults()}
}

// findLeaf returns the index of the leaf assembly picks: the certificate
// matching key, or the structural leaf when key is nil.
func findLeaf(certs []*x509.Certificate, key crypto.Signer) int {
	c := newChain(testParser(), certs)
	if key == nil {
		return c.structuralLeaf()
	}
	_, i, _ := c.pickLeaf([]crypto.Signer{key})
	return i
}
