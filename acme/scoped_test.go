package acme_test

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// scopedLabel is the dns-account-01 label of an account, computed here as
// draft-ietf-acme-scoped-dns-challenges and Pebble define it: "_" and the
// lowercase base32 of the first 10 bytes of SHA-256 of the account URI.
func scopedLabel(accountURI string) string {
	sum := sha256.Sum256([]byte(accountURI))
	return "_" + strings.ToLower(base32.StdEncoding.EncodeToString(sum[:10]))
}

func TestIssueDNSAccount01(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	id, err := iss.PersistIdentity(testContext(t)) // registers the account
	require.NoError(t, err)
	scoped := scopedLabel(id.AccountURI) + "._acme-challenge."
	tests := []struct {
		name  string
		names func(base string) []string
		// delegate, when set, CNAMEs the scoped name of base to it.
		delegate func(base string) string
		// wantFQDN is where the record of base goes.
		wantFQDN func(base, delegated string) string
	}{
		{
			name:     "a name: the record under the account's label",
			names:    func(b string) []string { return []string{b} },
			wantFQDN: func(b, _ string) string { return scoped + b + "." },
		},
		{
			name:     "a wildcard and its apex: one record name, two values",
			names:    func(b string) []string { return []string{"*." + b, b} },
			wantFQDN: func(b, _ string) string { return scoped + b + "." },
		},
		{
			name:     "the scoped name delegated by CNAME",
			names:    func(b string) []string { return []string{b} },
			delegate: func(string) string { return "acct." + pebbletest.UniqueDomain("delegated.test") },
			wantFQDN: func(_, d string) string { return d + "." },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := pebbletest.UniqueDomain("")
			var delegated string
			if tc.delegate != nil {
				delegated = tc.delegate(base)
				e.srv.AddCNAME(scoped+base, delegated)
				t.Cleanup(func() { e.srv.ClearCNAME(scoped + base) })
			}
			req := e.request(tc.names(base)...)
			req.Challenge = certs.ChallengeDNSAccount01
			ic, err := iss.Issue(testContext(t), req)
			require.NoError(t, err)
			require.ElementsMatch(t, tc.names(base), e.parseIssued(t, ic)[0].DNSNames)
			var fqdns []string
			for _, r := range e.dns.presented() {
				if r.Domain == base {
					fqdns = append(fqdns, r.FQDN)
				}
			}
			require.NotEmpty(t, fqdns)
			for _, f := range fqdns {
				require.Equal(t, tc.wantFQDN(base, delegated), f)
			}
			require.Empty(t, e.srv.TXT(tc.wantFQDN(base, delegated)), "cleaned up")
			require.Empty(t, e.srv.TXT("_acme-challenge."+base), "nothing at the dns-01 name")
		})
	}
}

// Two ACME clients (two accounts) validate one name at the same time with
// dns-account-01: each record has its own name, so neither spoils the
// other's.
func TestDNSAccount01SideBySide(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	name := pebbletest.UniqueDomain("")
	issuers := []*acme.Issuer{
		e.issuer(t, func(c *acme.Config) { c.Email = "platform@example.com" }),
		e.issuer(t, func(c *acme.Config) { c.Email = "customer@example.com" }),
	}
	var wg sync.WaitGroup
	errs := make([]error, len(issuers))
	for i, iss := range issuers {
		wg.Go(func() {
			req := e.request(name)
			req.Challenge = certs.ChallengeDNSAccount01
			_, errs[i] = iss.Issue(testContext(t), req)
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	fqdns := map[string]bool{}
	for _, r := range e.dns.presented() {
		if r.Domain == name {
			fqdns[r.FQDN] = true
		}
	}
	require.Len(t, fqdns, 2, "one record name per account: %v", fqdns)
}

func TestIssueDNSPersist01(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	id, err := iss.PersistIdentity(testContext(t))
	require.NoError(t, err)
	require.Equal(t, "pebble.letsencrypt.org", id.IssuerDomainName, "Pebble's issuer domain name (its CAA identity)")
	require.Contains(t, id.AccountURI, "/my-account/")
	record := id.IssuerDomainName + "; accounturi=" + id.AccountURI
	tests := []struct {
		name   string
		names  func(base string) []string
		record string // the customer's record; "" adds none
		fault  string // in the CA's detail when the order fails
	}{
		{name: "the record in place", names: func(b string) []string { return []string{b, "www." + b} }, record: record},
		{name: "a wildcard with policy=wildcard", names: func(b string) []string { return []string{"*." + b, b} },
			record: record + "; policy=wildcard"},
		{name: "a wildcard without policy=wildcard", names: func(b string) []string { return []string{"*." + b} },
			record: record, fault: "policy mismatch"},
		{name: "another account's record", names: func(b string) []string { return []string{b} },
			record: id.IssuerDomainName + "; accounturi=https://elsewhere.test/acct/9", fault: "accounturi mismatch"},
		{name: "no record", names: func(b string) []string { return []string{b} }, fault: "No TXT records found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := pebbletest.UniqueDomain("")
			if tc.record != "" {
				e.srv.AddTXT("_validation-persist."+base, tc.record)
				e.srv.AddTXT("_validation-persist.www."+base, tc.record)
			}
			req := certs.IssueRequest{Names: tc.names(base), Profile: "shortlived", Challenge: certs.ChallengeDNSPersist01}
			ic, err := iss.Issue(testContext(t), req) // no solver at all
			if tc.fault == "" {
				require.NoError(t, err)
				require.ElementsMatch(t, tc.names(base), e.parseIssued(t, ic)[0].DNSNames)
				return
			}
			require.ErrorIs(t, err, certs.ErrValidationFailed)
			var verr *certs.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Len(t, verr.Problems, 1)
			p := verr.Problems[0]
			require.Equal(t, tc.names(base)[0], p.Domain)
			require.Equal(t, certs.ChallengeDNSPersist01, p.Challenge)
			require.Contains(t, p.Detail, tc.fault, "the CA's reason")
			require.Contains(t, p.Hint, "_validation-persist."+base, "the hint names the record to add")
			require.Contains(t, p.Hint, id.AccountURI)
		})
	}
	require.Empty(t, e.dns.presented(), "dns-persist-01 presents nothing")
}

func TestScopedChallengesChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	tests := []struct {
		name string
		req  certs.IssueRequest
		want error
	}{
		{"dns-account-01 without a DNS provider", certs.IssueRequest{Names: []string{"a.test"}, Challenge: certs.ChallengeDNSAccount01},
			certs.ErrNoDNSProvider},
		{"unknown challenge", certs.IssueRequest{Names: []string{"a.test"}, Challenge: "dns-02"}, acme.ErrInvalidChallenge},
		{"a wildcard over http-01", certs.IssueRequest{Names: []string{"*.a.test"}, Challenge: certs.ChallengeHTTP01, HTTP01: e.http01},
			certs.ErrWildcardNeedsDNS01},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.DryRun = true
			_, err := iss.Issue(testContext(t), tc.req)
			require.ErrorIs(t, err, tc.want)
		})
	}
	// Wildcards over the scoped challenges pass the checks.
	for _, c := range []certs.ChallengeType{certs.ChallengeDNSAccount01, certs.ChallengeDNSPersist01} {
		_, err := iss.Issue(testContext(t), certs.IssueRequest{Names: []string{"*.a.test"}, Challenge: c, DNS01: e.dns, DryRun: true})
		require.NoError(t, err, c)
	}
}

func TestPersistIdentityIssuerDomain(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t, func(c *acme.Config) { c.IssuerDomainName = "CA.Example." })
	id, err := iss.PersistIdentity(testContext(t))
	require.NoError(t, err)
	require.Equal(t, "ca.example", id.IssuerDomainName, "Config.IssuerDomainName, normalized")
	again, err := iss.PersistIdentity(testContext(t))
	require.NoError(t, err)
	require.Equal(t, id, again, "the same account")
}
