package certs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

func readValidateTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("validate", "testdata", name))
	require.NoError(t, err)
	return b
}

// TestCertificatesClientsRefuse: certificates every current client refuses
// (real-world files made by OpenSSL) are refused with their own typed
// error, and accepted with their own warning under
// AllowLegacyCertificates; nothing is stored when refused.
func TestCertificatesClientsRefuse(t *testing.T) {
	const host = "legacy.example.com"
	tests := []struct {
		file, warning string
		want          error
	}{
		{"legacy-leaf-cn-only.pem", "no_san", ErrNoSAN},
		{"legacy-leaf-client-auth.pem", "no_server_auth", ErrNoServerAuth},
		{"legacy-leaf-sha1.pem", "weak_signature", ErrWeakSignature},
		{"legacy-leaf-md5.pem", "weak_signature", ErrWeakSignature},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			in := Input{Certificate: readValidateTestdata(t, tc.file), Chain: readValidateTestdata(t, "legacy-intermediate.pem"),
				PrivateKey: readValidateTestdata(t, "legacy-leaf.key")}
			strict := newFixture(t)
			strict.m.roots.AppendCertsFromPEM(readValidateTestdata(t, "legacy-root.pem"))
			_, err := strict.m.Import(context.Background(), host, in, ImportOptions{})
			require.ErrorIs(t, err, tc.want)
			require.NotErrorIs(t, err, ErrIncompleteChain, "its own error, not incomplete_chain")
			require.Nil(t, strict.storedRecord(host))

			lax := newFixture(t, func(c *Config) { c.AllowLegacyCertificates = true })
			lax.m.roots.AppendCertsFromPEM(readValidateTestdata(t, "legacy-root.pem"))
			h, err := lax.m.Import(context.Background(), host, in, ImportOptions{})
			require.NoError(t, err)
			var codes []string
			for _, w := range h.Custom.Warnings {
				codes = append(codes, w.Code)
			}
			require.Contains(t, codes, tc.warning)
		})
	}
	// The control certificate of the same hierarchy is accepted as it is.
	f := newFixture(t)
	f.m.roots.AppendCertsFromPEM(readValidateTestdata(t, "legacy-root.pem"))
	_, err := f.m.Import(context.Background(), host, Input{Certificate: readValidateTestdata(t, "legacy-leaf.pem"),
		Chain: readValidateTestdata(t, "legacy-intermediate.pem"), PrivateKey: readValidateTestdata(t, "legacy-leaf.key")}, ImportOptions{})
	require.NoError(t, err)
}

// TestUploadLimits: uploads over the limits are refused before they cost
// anything, with typed errors, and the limits are configurable.
func TestUploadLimits(t *testing.T) {
	f := newFixture(t)
	good := f.leaf([]string{"up.example.com"}, testpki.LeafOptions{})
	huge := bytes.Repeat(good.ChainPEM(), 1+(2<<20)/len(good.ChainPEM()))
	_, err := f.m.Import(context.Background(), "up.example.com", Input{Certificate: huge, PrivateKey: good.KeyPEM()}, ImportOptions{})
	require.ErrorIs(t, err, ErrInputTooLarge)
	_, err = f.m.Import(context.Background(), "up.example.com",
		Input{PKCS12: readTestdata(t, "leaf-many-iterations.pfx"), Password: "secret"}, ImportOptions{})
	require.ErrorIs(t, err, ErrPKCS12TooExpensive)
	require.Nil(t, f.storedRecord("up.example.com"))

	small := newFixture(t, func(c *Config) { c.UploadLimits = UploadLimits{MaxSize: 256} })
	_, err = small.m.Import(context.Background(), "up.example.com", input(good), ImportOptions{})
	require.ErrorIs(t, err, ErrInputTooLarge)
	rep := small.m.Validate(input(good), "up.example.com")
	require.False(t, rep.Valid)
	require.ErrorIs(t, rep.Err(), ErrInputTooLarge)
}
