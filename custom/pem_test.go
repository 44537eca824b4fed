package custom

import (
	"bytes"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestParsePastedPEM accepts PEM the way users paste it; encoding/pem
// (only a -----BEGIN line at a line start) silently skipped or refused
// most of these.
func TestParsePastedPEM(t *testing.T) {
	key, full, leaf, inter := fixture(t, "leaf.key"), fixture(t, "fullchain.pem"), fixture(t, "leaf.pem"), fixture(t, "intermediate.pem")
	bom := []byte("\xef\xbb\xbf")
	indent := func(b []byte, prefix string) []byte {
		return []byte(prefix + strings.ReplaceAll(strings.TrimSuffix(string(b), "\n"), "\n", "\n"+prefix) + "\n")
	}
	tests := []struct {
		name string
		in   Input
	}{
		{"key with a byte-order mark (OpenSSL file)", Input{Certificate: full, PrivateKey: fixture(t, "leaf-bom.key")}},
		{"chain with a byte-order mark and CRLF (OpenSSL file)", Input{Certificate: fixture(t, "fullchain-bom-crlf.pem"), PrivateKey: key}},
		{"intermediate after a label on its line (OpenSSL file)", Input{Certificate: fixture(t, "fullchain-labelled.txt"), PrivateKey: key}},
		{"indented, from a YAML file (OpenSSL file)", Input{Certificate: fixture(t, "fullchain-indented.yaml")}},
		{"on one line (OpenSSL file)", Input{Certificate: fixture(t, "fullchain-oneline.txt"), PrivateKey: key}},
		{"JSON string with \\n escapes (OpenSSL file)", Input{Certificate: fixture(t, "fullchain.json"), PrivateKey: key}},
		{"chain after the leaf's END line on the same line", Input{Certificate: cat(bytes.TrimSuffix(leaf, []byte("\n")), inter), PrivateKey: key}},
		{"text after an END line", Input{Certificate: cat(bytes.TrimSuffix(leaf, []byte("\n")), []byte(" (leaf)\n"), inter), PrivateKey: key}},
		{"tab-indented key", Input{Certificate: full, PrivateKey: indent(key, "\t\t")}},
		{"byte-order mark, CRLF and indentation", Input{Certificate: cat(bom, indent(crlf(full), "  ")), PrivateKey: cat(bom, crlf(key))}},
		{"JSON with escaped slashes", Input{Certificate: []byte(strings.ReplaceAll(string(fixture(t, "fullchain.json")), "/", `\/`)), PrivateKey: key}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse(tc.in)
			require.NoError(t, err)
			require.Equal(t, []string{"example.com", interCN}, subjects(b), "no block may be dropped")
			require.True(t, keyMatches(b.Leaf, b.PrivateKey))
			require.Empty(t, b.Notes)
		})
	}
}

// TestParsePEMProblems names the block and says exactly what is wrong.
func TestParsePEMProblems(t *testing.T) {
	key, leaf, inter := fixture(t, "leaf.key"), fixture(t, "leaf.pem"), fixture(t, "intermediate.pem")
	replace := func(b []byte, old, new string) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
	tests := []struct {
		name string
		cert []byte
		want []string
	}{
		{"second block without END", cat(leaf, replace(inter, "-----END CERTIFICATE-----", "")),
			[]string{"PEM block 2", "is truncated", "-----END CERTIFICATE----- line is missing"}},
		{"END of another type", replace(leaf, "-----END CERTIFICATE-----", "-----END PRIVATE KEY-----"),
			[]string{"PEM block 1", "END line does not read -----END CERTIFICATE-----"}},
		{"a character that is not base64", replace(leaf, "MII", "MI!"),
			[]string{"PEM block 1", `not valid base64 ('!' at character 3)`}},
		{"a character missing", replace(leaf, "MII", "MI"),
			[]string{"PEM block 1", "not valid base64"}},
		{"nothing between BEGIN and END", cat(leaf, []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")),
			[]string{"PEM block 2", "no content"}},
		{"BEGIN line without its dashes", cat([]byte("-----BEGIN CERTIFICATE\n"), leaf),
			[]string{"PEM block 1", "malformed BEGIN line"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(Input{Certificate: tc.cert, PrivateKey: key})
			require.ErrorIs(t, err, ErrInvalidPEM)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
			require.Contains(t, err.Error(), pemFix)
		})
	}
}

// TestScanPEMMatchesEncodingPEM reads what encoding/pem writes, headers
// included.
func TestScanPEMMatchesEncodingPEM(t *testing.T) {
	blocks := []*pem.Block{
		{Type: "CERTIFICATE", Bytes: bytes.Repeat([]byte{0x30, 0x82, 1, 2}, 100)},
		{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00FF"}, Bytes: []byte{1}},
	}
	var data []byte
	for _, b := range blocks {
		data = append(data, pem.EncodeToMemory(b)...)
	}
	var got []*pemBlock
	require.NoError(t, scanPEM("f", data, func(n int, b *pemBlock) error {
		got = append(got, b)
		return nil
	}))
	require.Len(t, got, 2)
	for i, b := range got {
		require.Equal(t, blocks[i].Type, b.Type)
		require.Equal(t, blocks[i].Bytes, b.Bytes)
		if len(blocks[i].Headers) > 0 {
			require.Equal(t, blocks[i].Headers, b.Headers)
		}
	}
}
