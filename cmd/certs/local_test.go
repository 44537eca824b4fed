package main

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/pem"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// local is a store directory (sealed with an encryption key) and a CA.
type local struct {
	*acmeEnv
	dir, store, keyFile string
	domain              string
}

func newLocal(t *testing.T) *local {
	t.Helper()
	l := &local{acmeEnv: startCA(t), dir: t.TempDir(), domain: pebbletest.UniqueDomain("test")}
	l.store = filepath.Join(l.dir, "store")
	secret := make([]byte, 32)
	secret[0] = 1
	l.keyFile = writeFile(t, l.dir, "keys", []byte("k1 "+base64.StdEncoding.EncodeToString(secret)+"\n"))
	return l
}

// args are args with the store flags.
func (l *local) args(args ...string) []string {
	return append(args, "--store", l.store, "--encryption-key-file", l.keyFile)
}

// acme are args with the store and CA flags.
func (l *local) acme(args ...string) []string { return l.with(l.args(args...)...) }

// TestLocalLifecycle runs the built binary against a store directory and
// an in-process Pebble: obtain (HTTP-01 answered by the CLI's own
// listener), list and show (tables and JSON), import, validate, export,
// renew, revoke, remove, with their exit codes.
func TestLocalLifecycle(t *testing.T) {
	t.Parallel()
	l := newLocal(t)
	shop := "shop." + l.domain
	var first *certs.Host
	t.Run("obtain", func(t *testing.T) { first = l.obtain(t, shop) })
	t.Run("list and show", func(t *testing.T) { l.listAndShow(t, shop) })
	t.Run("import and validate", func(t *testing.T) { l.importAndValidate(t) })
	t.Run("export", func(t *testing.T) { l.export(t, shop) })
	t.Run("renew", func(t *testing.T) {
		r := certsOK(t, 0, l.acme("renew", shop, "--json", "--http-addr", l.httpAddr)...)
		h := decode[certs.Host](t, r)
		require.NotEqual(t, first.ACME.FingerprintSHA256, h.ACME.FingerprintSHA256)
		require.Contains(t, r.stderr, "certificate issued")
	})
	t.Run("revoke", func(t *testing.T) { l.revoke(t, shop) })
	t.Run("remove", func(t *testing.T) { l.remove(t, shop) })
	t.Run("keys sealed at rest", func(t *testing.T) { noPlainKeys(t, l.store) })
}

func (l *local) obtain(t *testing.T, shop string) *certs.Host {
	r := certsOK(t, 0, l.acme("obtain", shop, "--http-addr", l.httpAddr)...)
	for _, step := range []string{"ordering a certificate from " + l.ca.DirectoryURL, "ACME account registered",
		"order placed for [" + shop + "]", shop + ": http-01 challenge ready", shop + ": validated (http-01)",
		"certificate issued for [" + shop + "]", shop + ": ACME certificate issued"} {
		require.Contains(t, r.stderr, step)
	}
	require.Contains(t, r.stdout, "acme certificate")
	require.Regexp(t, `status\s+active`, r.stdout)
	h := decode[certs.Host](t, certsOK(t, 0, l.args("show", shop, "--json")...))
	require.Equal(t, certs.StatusActive, h.Status)
	require.Equal(t, "default", h.Labels[api.TenantLabel], "the API of certs serve shows it")
	require.Equal(t, []string{shop}, h.ACME.SANs)
	return h
}

func (l *local) listAndShow(t *testing.T, shop string) {
	page := decode[certs.ListPage](t, certsOK(t, 0, l.args("list", "--json")...))
	require.Len(t, page.Hosts, 1)
	require.Equal(t, 1, page.Total)
	require.Equal(t, shop, page.Hosts[0].Hostname)
	table := certsOK(t, 0, l.args("list")...).stdout
	require.Regexp(t, `HOSTNAME\s+STATUS\s+SOURCE`, table)
	require.Regexp(t, shop+`\s+active\s+acme\s+\d{4}-\d\d-\d\d`, table)
	show := certsOK(t, 0, l.args("show", shop)...).stdout
	require.Contains(t, show, "Pebble Intermediate CA")
	require.Contains(t, show, "auto-renew")
	missing := certsOK(t, exitNotFound, l.args("show", "nope."+l.domain, "--json")...)
	require.Equal(t, "not_found", decode[errorJSON](t, missing).Error.Code)
	require.Contains(t, missing.stderr, "not found")
}

// errorJSON is what a failing command prints with --json.
type errorJSON struct {
	Error struct {
		ExitCode int    `json:"exit_code"`
		Code     string `json:"code"`
		Message  string `json:"message"`
	} `json:"error"`
}

func (l *local) importAndValidate(t *testing.T) {
	ca, err := certstest.NewLocalCA()
	require.NoError(t, err)
	host := "api." + l.domain
	good, err := ca.Issue(90*24*time.Hour, host)
	require.NoError(t, err)
	other, err := ca.Issue(90*24*time.Hour, host)
	require.NoError(t, err)
	cert := writeFile(t, l.dir, "api.pem", good.Certificate)
	key := writeFile(t, l.dir, "api.key", good.PrivateKey)
	wrongKey := writeFile(t, l.dir, "other.key", other.PrivateKey)

	bad := certsOK(t, exitInvalid, l.args("validate", host, "--cert", cert, "--key", wrongKey)...)
	require.Regexp(t, `error key_mismatch\s+.*upload the key that was used`, bad.stdout)
	require.Contains(t, bad.stderr, "the upload is not valid (key_mismatch)")
	rep := decode[api.ValidationReport](t, certsOK(t, exitInvalid, l.args("validate", host, "--cert", cert, "--key", wrongKey, "--json")...))
	require.False(t, rep.Valid)
	require.Equal(t, "key_mismatch", rep.Errors[0].Code)
	r := certsOK(t, exitInvalid, l.args("import", host, "--cert", cert, "--key", wrongKey, "--json")...)
	require.Equal(t, "key_mismatch", decode[errorJSON](t, r).Error.Code)
	require.Contains(t, r.stderr, "upload the key that was used")
	certsOK(t, exitNotFound, l.args("show", host)...) // nothing stored

	ok := decode[api.ValidationReport](t, certsOK(t, 0, l.args("validate", "--cert", cert, "--key", key, "--json")...))
	require.True(t, ok.Valid)
	require.Equal(t, []string{host}, ok.Facts.SANs)
	r = certsRun(t, nil, string(good.PrivateKey), l.args("import", host, "--cert", cert, "--key", "-", "--json")...)
	require.Equal(t, 0, r.code, r)
	h := decode[certs.Host](t, r)
	require.Equal(t, certs.StatusActive, h.Custom.Status)
	require.Equal(t, "CN=certstest Local CA", h.Custom.Issuer)
	require.Len(t, decode[certs.ListPage](t, certsOK(t, 0, l.args("list", "--json")...)).Hosts, 2)
}

func (l *local) export(t *testing.T, shop string) {
	dir := filepath.Join(l.dir, "live", shop)
	r := certsOK(t, 0, l.args("export", shop, "--dir", dir)...)
	require.Contains(t, r.stdout, "0600  "+filepath.Join(dir, "privkey.pem"))
	require.NotContains(t, r.stdout+r.stderr, "PRIVATE KEY", "the key is written, never printed")
	info, err := os.Stat(filepath.Join(dir, "privkey.pem"))
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o600), info.Mode().Perm())
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return b
	}
	pair, err := tls.X509KeyPair(read("fullchain.pem"), read("privkey.pem"))
	require.NoError(t, err)
	require.Equal(t, []string{shop}, pair.Leaf.DNSNames)
	leaf, _ := pem.Decode(read("cert.pem"))
	require.Equal(t, pair.Certificate[0], leaf.Bytes)
	require.Contains(t, string(read("chain.pem")), "CERTIFICATE")
}

func (l *local) revoke(t *testing.T, shop string) {
	h := decode[certs.Host](t, certsOK(t, 0, l.acme("revoke", shop, "--reason", "superseded", "--json")...))
	require.Equal(t, certs.StatusRevoked, h.ACME.Status)
	serial, ok := new(big.Int).SetString(h.ACME.Serial, 16)
	require.True(t, ok)
	status, err := l.ca.CertStatus(t.Context(), serial)
	require.NoError(t, err)
	require.Equal(t, "Revoked", status, "the CA revoked it")
	again := certsOK(t, exitConflict, l.acme("revoke", shop)...)
	require.Contains(t, again.stderr, "already revoked")
	certsOK(t, exitUsage, l.acme("revoke", shop, "--reason", "bored")...)
}

func (l *local) remove(t *testing.T, shop string) {
	api := "api." + l.domain
	h := decode[certs.Host](t, certsOK(t, 0, l.args("remove", api, "--source", "custom", "--json")...))
	require.Nil(t, h.Custom)
	certsOK(t, exitNotFound, l.args("remove", api, "--source", "custom")...)
	certsOK(t, 0, l.args("remove", api)...)
	r := certsOK(t, 0, l.args("remove", shop)...)
	require.Equal(t, "removed "+shop+"\n", r.stdout)
	certsOK(t, exitNotFound, l.args("show", shop)...)
	certsOK(t, exitNotFound, l.args("remove", shop)...)
	require.Contains(t, certsOK(t, 0, l.args("list")...).stdout, "(no hostnames)")
}

// noPlainKeys fails if a file of the store holds a PEM private key.
func noPlainKeys(t *testing.T, dir string) {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NotContains(t, string(b), "PRIVATE KEY", path)
		return nil
	})
	require.NoError(t, err)
}

// TestObtainFailures: what an operator gets wrong, with its exit code.
func TestObtainFailures(t *testing.T) {
	t.Parallel()
	l := newLocal(t)
	elsewhere := "elsewhere." + l.domain
	l.ca.SetA(elsewhere, "127.0.0.2")
	t.Cleanup(func() { l.ca.ClearA(elsewhere) })
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no --agree-tos", l.args("obtain", "a."+l.domain), exitUsage, "--agree-tos"},
		{"bad challenge", l.acme("obtain", "a."+l.domain, "--challenge", "carrier-pigeon"), exitUsage, "--challenge must be one of"},
		{"bad key type", l.acme("obtain", "a."+l.domain, "--key-type", "dsa"), exitUsage, "--key-type must be one of"},
		{"invalid hostname", l.acme("obtain", "not a name"), exitUsage, "invalid hostname"},
		{"wildcard without a DNS provider", l.acme("obtain", "*."+l.domain), exitUsage, "dns-01"},
		{"credentials without a provider", l.acme("obtain", "a."+l.domain, "--dns-credentials-file", l.keyFile), exitUsage, "--dns-provider"},
		{"unknown flag", l.args("obtain", "a."+l.domain, "--colour"), exitUsage, "flag provided but not defined"},
		{"two hostnames", l.acme("obtain", "a."+l.domain, "b."+l.domain), exitUsage, "unexpected argument"},
		{"name pointing elsewhere", l.acme("obtain", elsewhere, "--http-addr", l.httpAddr), exitInvalid, elsewhere + " (http-01)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := certsOK(t, tc.code, tc.args...)
			require.Contains(t, r.stderr, tc.says)
		})
	}
	r := certsOK(t, exitInvalid, l.acme("obtain", elsewhere, "--http-addr", l.httpAddr, "--json")...)
	require.Equal(t, "validation_failed", decode[errorJSON](t, r).Error.Code)
	h := decode[certs.Host](t, certsOK(t, 0, l.args("show", elsewhere, "--json")...))
	require.NotNil(t, h.Pending, "the order stays pending, retried by certs serve")
	require.True(t, strings.HasPrefix(h.ValidationErrors[0].Domain, "elsewhere."))
}
