package deployhook_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/deployhook"
	"github.com/certs-dev/certs/store"
)

// TestACMEIssueAndRenewal: with an ACME CA in the process (Pebble), the
// files follow issuance and renewal, switch to an imported custom
// certificate (served first) and back to the ACME one when it is removed.
func TestACMEIssueAndRenewal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an ACME CA")
	}
	pebble := certstest.Start(t)
	iss, err := acme.New(pebble.ACMEConfig())
	require.NoError(t, err)
	local := newCA(t)
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss, DNSProvider: pebble.DNSProvider(),
		Roots: local.Roots(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	pebble.HandleHTTP01(m.HTTPHandler(nil))
	pebble.HandleTLSALPN01(m.GetCertificate)
	dir := t.TempDir()
	e := &env{t: t, ctx: t.Context(), ca: local, m: m, dir: dir}
	e.h, err = deployhook.New(deployhook.Config{Manager: m, Dir: dir, Command: "true",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	defer e.h.Close()
	const host = "shop.example.com"
	acmeFiles := func() certs.Input {
		chain, err := m.PEM(e.ctx, host, certs.SourceACME, certs.PEMFullChain)
		require.NoError(t, err)
		key, err := m.PrivateKey(e.ctx, host, certs.SourceACME)
		require.NoError(t, err)
		return certs.Input{Certificate: chain, PrivateKey: key}
	}

	_, err = m.Obtain(e.ctx, host, certs.ObtainOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{host}, e.h.Flush(e.ctx).Renewed, "issued")
	e.requireLineage(host, acmeFiles())

	_, err = m.Renew(e.ctx, host, certs.RenewOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{host}, e.h.Flush(e.ctx).Renewed, "renewed")
	e.requireLineage(host, acmeFiles())

	custom := e.importCert(host)
	require.Equal(t, []string{host}, e.h.Flush(e.ctx).Renewed, "the custom certificate is served first")
	e.requireLineage(host, custom)

	_, err = m.RemoveCustom(e.ctx, host)
	require.NoError(t, err)
	require.Equal(t, []string{host}, e.h.Flush(e.ctx).Renewed, "back to the ACME certificate")
	e.requireLineage(host, acmeFiles())
}
