package acme_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/dnstest"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/internal/testpki"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
)

// pebbleCAA is the CAA identity that pebbletest's directory advertises in
// meta.caaIdentities.
const pebbleCAA = "pebble.letsencrypt.org"

func TestCAAIdentitiesFromDirectory(t *testing.T) {
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	ids, err := iss.CAAIdentities(testContext(t))
	require.NoError(t, err)
	require.Equal(t, []string{pebbleCAA}, ids)
	var _ certs.CAAIdentifier = iss

	bad := e.issuer(t, func(c *acme.Config) { c.DirectoryURL = e.srv.ManagementURL + "/nothing-here" })
	_, err = bad.CAAIdentities(testContext(t))
	require.ErrorContains(t, err, "check Config.DirectoryURL")
}

// caaManager is a Manager whose issuer is an acme.Issuer on Pebble and
// whose DNS checks ask a loopback server holding records.
func caaManager(t *testing.T, srv *pebbletest.Server, dnsCfg certs.DNSConfig, records ...string) *certs.Manager {
	t.Helper()
	auth := dnstest.Start(t, dnstest.Zone{Name: "example.com", Records: records})
	iss, err := acme.New(acme.Config{DirectoryURL: srv.DirectoryURL, AgreeTOS: true, HTTPClient: srv.HTTPClient(),
		Store: store.NewMemory(), Logger: testLogger(t), DNSResolvers: []string{srv.DNSAddr}, DefaultProfile: "shortlived"})
	require.NoError(t, err)
	dnsCfg.Resolvers, dnsCfg.NameserverPort, dnsCfg.Timeout = []string{auth.Addr()}, auth.Port(), 5*time.Second
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss, Logger: testLogger(t), DNS: dnsCfg,
		Clock: func() time.Time { return time.Now().Add(time.Minute) }}) // ahead of Pebble's NotBefore
	require.NoError(t, err)
	return m
}

// TestCheckUsesTheIssuersCAAIdentities: Check judges CAA against the CA
// the Issuer uses (its directory's caaIdentities), not letsencrypt.org,
// unless Config.DNS.CAIdentities says otherwise.
func TestCheckUsesTheIssuersCAAIdentities(t *testing.T) {
	srv := pebbletest.Start(t, pebbletest.Options{})
	tests := []struct {
		name       string
		caa        string
		configured []string
		permitted  []string
		msg        string
	}{
		{"CAA names the issuer's CA", pebbleCAA, nil, []string{pebbleCAA}, ""},
		{"CAA names another CA", "letsencrypt.org", nil, []string{},
			`the CAA records of example.com do not allow pebble.letsencrypt.org to issue certificates for shop.example.com; add a CAA record example.com with value 0 issue "pebble.letsencrypt.org"`},
		{"Config.DNS.CAIdentities come first", "letsencrypt.org", []string{"letsencrypt.org"}, []string{"letsencrypt.org"}, ""},
	}
	leaf := testpki.NewCA(t).Leaf(t, []string{"shop.example.com"}, testpki.LeafOptions{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := caaManager(t, srv, certs.DNSConfig{CAIdentities: tc.configured}, `@ CAA 0 issue "`+tc.caa+`"`)
			ctx := testContext(t)
			_, err := m.Import(ctx, "shop.example.com", certs.Input{Certificate: leaf.ChainPEM(), PrivateKey: leaf.KeyPEM()}, certs.ImportOptions{})
			require.NoError(t, err)
			res, err := m.Check(ctx, "shop.example.com")
			require.NoError(t, err)
			require.Equal(t, tc.permitted, res.DNS.CAAPermitted)
			require.Equal(t, len(tc.permitted) > 0, res.Host.LastCheck.CAAPermits)
			if tc.msg != "" {
				require.Len(t, res.DNS.ValidationErrors, 1)
				require.Equal(t, validate.DNSCodeCAAForbids, res.DNS.ValidationErrors[0].Code)
				require.Equal(t, tc.msg, res.DNS.ValidationErrors[0].Message)
			}
		})
	}
}

// TestObtainPreflightUsesTheIssuersCAAIdentities: the pre-flight lets an
// order through when CAA allows the issuer's CA (and not Let's Encrypt),
// and refuses it when CAA allows only another CA.
func TestObtainPreflightUsesTheIssuersCAAIdentities(t *testing.T) {
	srv := pebbletest.Start(t, pebbletest.Options{})
	platform := certs.DNSConfig{RequirementsConfig: validate.RequirementsConfig{A: []string{"127.0.0.1"}}, PreflightObtain: true}
	m := caaManager(t, srv, platform,
		"allowed A 127.0.0.1", `allowed CAA 0 issue "`+pebbleCAA+`"`,
		"forbidden A 127.0.0.1", `forbidden CAA 0 issue "letsencrypt.org"`)
	srv.HandleHTTP01(t, m.HTTPHandler(nil))
	ctx := testContext(t)
	h, err := m.Obtain(ctx, "allowed.example.com", certs.ObtainOptions{Challenge: certs.ChallengeHTTP01})
	require.NoError(t, err)
	require.NotNil(t, h.ACME)
	_, err = m.Obtain(ctx, "forbidden.example.com", certs.ObtainOptions{Challenge: certs.ChallengeHTTP01})
	require.ErrorIs(t, err, certs.ErrCAAForbidden)
}
