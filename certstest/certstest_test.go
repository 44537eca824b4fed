package certstest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// TestShopGetsACertificate is the test shown in the package documentation
// (TestPackageDocShowsATest keeps them equal).
func TestShopGetsACertificate(t *testing.T) {
	ca := certstest.Start(t)
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		t.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss, DNSProvider: ca.DNSProvider()})
	if err != nil {
		t.Fatal(err)
	}
	// The CA's HTTP-01 requests and TLS-ALPN-01 handshakes reach the Manager.
	ca.HandleHTTP01(m.HTTPHandler(nil))
	ca.HandleTLSALPN01(m.GetCertificate)
	h, err := m.Obtain(t.Context(), "shop.example.com", certs.ObtainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != certs.StatusActive {
		t.Errorf("status %s, want active", h.Status)
	}
}

func TestPackageDocShowsATest(t *testing.T) {
	fset := token.NewFileSet()
	doc, err := parser.ParseFile(fset, "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	var snippet []string
	for _, l := range strings.Split(doc.Doc.Text(), "\n") {
		if strings.HasPrefix(l, "\t") {
			snippet = append(snippet, strings.TrimSpace(l))
		} else if len(snippet) > 0 {
			break
		}
	}
	src, err := os.ReadFile("certstest_test.go")
	require.NoError(t, err)
	f, err := parser.ParseFile(fset, "certstest_test.go", src, parser.ParseComments)
	require.NoError(t, err)
	var fn []string
	for _, d := range f.Decls {
		if d, ok := d.(*ast.FuncDecl); ok && d.Name.Name == "TestShopGetsACertificate" {
			text := string(src[fset.Position(d.Pos()).Offset:fset.Position(d.End()).Offset])
			for _, l := range strings.Split(text, "\n") {
				fn = append(fn, strings.TrimSpace(l))
			}
		}
	}
	require.NotEmpty(t, snippet, "doc.go shows a test")
	require.Equal(t, fn, snippet, "the test in doc.go and TestShopGetsACertificate differ")
}

// newManager is a Manager on ca that answers every challenge type.
func newManager(t *testing.T, ca *certstest.CA, cfg certs.Config) *certs.Manager {
	t.Helper()
	iss, err := acme.New(ca.ACMEConfig())
	require.NoError(t, err)
	cfg.Store, cfg.Issuer, cfg.DNSProvider = store.NewMemory(), iss, ca.DNSProvider()
	m, err := certs.New(cfg)
	require.NoError(t, err)
	ca.HandleHTTP01(m.HTTPHandler(nil))
	ca.HandleTLSALPN01(m.GetCertificate)
	return m
}

// TestEveryChallengeIssuesVerifiableCertificates obtains a certificate per
// challenge type, from CAs running in parallel, and verifies each served
// chain with Roots.
func TestEveryChallengeIssuesVerifiableCertificates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		host      string
		challenge certs.ChallengeType
	}{
		{"http-01", "http.example.com", certs.ChallengeHTTP01},
		{"tls-alpn-01", "alpn.example.com", certs.ChallengeTLSALPN01},
		{"dns-01", "dns.example.com", certs.ChallengeDNS01},
		{"dns-01 wildcard", "*.wild.example.com", certs.ChallengeDNS01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ca := certstest.Start(t)
			m := newManager(t, ca, certs.Config{})
			h, err := m.Obtain(t.Context(), tc.host, certs.ObtainOptions{Challenge: tc.challenge})
			require.NoError(t, err)
			require.Equal(t, certs.StatusActive, h.Status)
			sni := strings.Replace(tc.host, "*", "www", 1)
			c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: sni})
			require.NoError(t, err)
			inter := x509.NewCertPool()
			for _, der := range c.Certificate[1:] {
				ic, err := x509.ParseCertificate(der)
				require.NoError(t, err)
				inter.AddCert(ic)
			}
			_, err = c.Leaf.Verify(x509.VerifyOptions{DNSName: sni, Roots: ca.Roots(), Intermediates: inter})
			require.NoError(t, err)
			_, err = c.Leaf.Verify(x509.VerifyOptions{DNSName: sni, Roots: x509.NewCertPool(), Intermediates: inter})
			require.Error(t, err, "a certificate of the CA verifies only with its roots")
		})
	}
}

// TestUnansweredChallengesFail: before HandleHTTP01 and HandleTLSALPN01,
// and after they are reset with nil, the CA's validations fail at once.
func TestUnansweredChallengesFail(t *testing.T) {
	t.Parallel()
	ca := certstest.Start(t)
	m := newManager(t, ca, certs.Config{})
	for _, c := range []certs.ChallengeType{certs.ChallengeHTTP01, certs.ChallengeTLSALPN01} {
		ca.HandleHTTP01(nil)
		ca.HandleTLSALPN01(nil)
		start := time.Now()
		_, err := m.Obtain(t.Context(), "unanswered.example.com", certs.ObtainOptions{Challenge: c})
		var verr *certs.ValidationError
		require.ErrorAs(t, err, &verr, c)
		require.Less(t, time.Since(start), 10*time.Second, c)
	}
}

// TestDNSRecords: the records SetA, SetCNAME and DNSProvider publish are
// what the DNS server answers, and they are removed again.
func TestDNSRecords(t *testing.T) {
	t.Parallel()
	ca := certstest.Start(t)
	query := func(name string, qtype uint16) []dns.RR {
		t.Helper()
		msg := new(dns.Msg)
		msg.SetQuestion(dns.Fqdn(name), qtype)
		r, _, err := (&dns.Client{Timeout: 5 * time.Second}).Exchange(msg, ca.DNSAddr())
		require.NoError(t, err)
		return r.Answer
	}
	a := func(name string) string {
		t.Helper()
		rrs := query(name, dns.TypeA)
		require.Len(t, rrs, 1)
		return rrs[0].(*dns.A).A.String()
	}

	const name = "records.certstest.example"
	require.Equal(t, "127.0.0.1", a(name), "every name points here")
	require.Empty(t, query(name, dns.TypeAAAA))
	ca.SetA(name, "127.0.0.2")
	require.Equal(t, "127.0.0.2", a(name))
	ca.ClearA(name)
	require.Equal(t, "127.0.0.1", a(name))

	rec := certs.DNSRecord{Domain: name, FQDN: "_acme-challenge." + name + ".", Value: "v1"}
	p := ca.DNSProvider()
	require.NoError(t, p.Present(t.Context(), rec))
	require.Equal(t, []string{"v1"}, ca.TXT("_acme-challenge."+name))
	ca.SetCNAME("_acme-challenge.other.certstest.example", "_acme-challenge."+name)
	rrs := query("_acme-challenge.other.certstest.example", dns.TypeTXT)
	require.Len(t, rrs, 2)
	require.Equal(t, []string{"v1"}, rrs[1].(*dns.TXT).Txt)
	ca.ClearCNAME("_acme-challenge.other.certstest.example")
	require.NoError(t, p.CleanUp(t.Context(), rec))
	require.NoError(t, p.CleanUp(t.Context(), rec), "cleaning up what is not there is a success")
	require.Empty(t, ca.TXT("_acme-challenge."+name))
	require.Empty(t, query("_acme-challenge.other.certstest.example", dns.TypeTXT))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, p.Present(ctx, rec), context.Canceled)
}

// TestRunAndStop: Run's stop function closes the CA and may be called
// twice; a new CA then starts on its own ports.
func TestRunAndStop(t *testing.T) {
	ca, stop, err := certstest.Run()
	require.NoError(t, err)
	get := func(url string) error {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		require.NoError(t, err)
		resp, err := ca.HTTPClient().Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	require.NoError(t, get(ca.DirectoryURL()))
	stop()
	stop()
	require.Error(t, get(ca.DirectoryURL()))

	other, stopOther, err := certstest.Run()
	require.NoError(t, err)
	defer stopOther()
	require.NotEqual(t, ca.DirectoryURL(), other.DirectoryURL())
}

// TestACMEConfigIsYours: every ACMEConfig is a fresh value the caller may
// change, and Roots a fresh pool.
func TestACMEConfigIsYours(t *testing.T) {
	t.Parallel()
	ca := certstest.Start(t)
	a, b := ca.ACMEConfig(), ca.ACMEConfig()
	require.NotSame(t, a.HTTPClient, b.HTTPClient)
	a.DNSResolvers[0] = "changed"
	require.Equal(t, []string{ca.DNSAddr()}, b.DNSResolvers)
	require.True(t, a.AgreeTOS)
	require.Equal(t, ca.DirectoryURL(), a.DirectoryURL)
	require.False(t, ca.Roots().Equal(x509.NewCertPool()))
	require.NotSame(t, ca.Roots(), ca.Roots())
}

func TestRevokedNeedsACertificate(t *testing.T) {
	t.Parallel()
	ca := certstest.Start(t)
	_, err := ca.Revoked(t.Context(), nil)
	require.Error(t, err)
}

func TestLocalCA(t *testing.T) {
	t.Parallel()
	local, err := certstest.NewLocalCA()
	require.NoError(t, err)
	in, err := local.Issue(30*24*time.Hour, "example.com", "*.example.com")
	require.NoError(t, err)
	pair, err := tls.X509KeyPair(in.Certificate, in.PrivateKey)
	require.NoError(t, err)
	_, err = pair.Leaf.Verify(x509.VerifyOptions{DNSName: "www.example.com", Roots: local.Roots()})
	require.NoError(t, err)
	require.Equal(t, "example.com", pair.Leaf.Subject.CommonName)
	require.WithinDuration(t, time.Now().Add(30*24*time.Hour), pair.Leaf.NotAfter, time.Minute)

	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots(), RequireTrustedChain: true})
	require.NoError(t, err)
	h, err := m.Import(t.Context(), "example.com", in, certs.ImportOptions{AllNames: true})
	require.NoError(t, err)
	require.Equal(t, []string{"example.com", "*.example.com"}, h.ServedNames)

	for _, bad := range []struct {
		validFor time.Duration
		names    []string
	}{{time.Hour, nil}, {0, []string{"example.com"}}, {-time.Hour, []string{"example.com"}}} {
		_, err := local.Issue(bad.validFor, bad.names...)
		require.Error(t, err)
	}
	other, err := certstest.NewLocalCA()
	require.NoError(t, err)
	_, err = pair.Leaf.Verify(x509.VerifyOptions{DNSName: "example.com", Roots: other.Roots()})
	require.Error(t, err, "each LocalCA has a key of its own")
}
