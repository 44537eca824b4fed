package custom

import (
	"bytes"
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
