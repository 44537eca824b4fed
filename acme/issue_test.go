package acme_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/pebbletest"
)

func TestIssueHTTP01(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	name := pebbletest.UniqueDomain("")
	req := e.request(name, "www."+name)
	req.Challenge = certs.ChallengeHTTP01

	ic, err := iss.Issue(testContext(t), req)
	require.NoError(t, err)
	chain := e.parseIssued(t, ic)
	require.Equal(t, []string{name, "www." + name}, chain[0].DNSNames)
	require.Equal(t, e.srv.DirectoryURL, ic.CA)
	require.NotEmpty(t, ic.URL)
	require.Zero(t, e.http01.len(), "tokens cleaned up")
}

func TestIssueChallenges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{AuthzReusePercent: 0})
	iss := e.issuer(t)

	tests := []struct {
		name      string
		challenge certs.ChallengeType
		names     func(base string) []string
		want      func(base string) []string // the leaf's SANs
	}{
		{
			name: "http-01 with alternate names", challenge: certs.ChallengeHTTP01,
			names: func(b string) []string { return []string{b, "www." + b, "api." + b, "www." + b} },
			want:  func(b string) []string { return []string{b, "www." + b, "api." + b} },
		},
		{
			name: "tls-alpn-01", challenge: certs.ChallengeTLSALPN01,
			names: func(b string) []string { return []string{b, "alt." + b} },
			want:  func(b string) []string { return []string{b, "alt." + b} },
		},
		{
			name: "dns-01", challenge: certs.ChallengeDNS01,
			names: func(b string) []string { return []string{b} },
			want:  func(b string) []string { return []string{b} },
		},
		{
			name: "dns-01 wildcard and apex", challenge: certs.ChallengeDNS01,
			names: func(b string) []string { return []string{"*." + b, b} },
			want:  func(b string) []string { return []string{"*." + b, b} },
		},
		{
			name: "names normalized", challenge: certs.ChallengeHTTP01,
			names: func(b string) []string { return []string{"WWW." + b + "."} },
			want:  func(b string) []string { return []string{"www." + b} },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := pebbletest.UniqueDomain("")
			req := e.request(tc.names(base)...)
			req.Challenge = tc.challenge
			ic, err := iss.Issue(testContext(t), req)
			require.NoError(t, err)
			leaf := e.parseIssued(t, ic)[0]
			require.ElementsMatch(t, tc.want(base), leaf.DNSNames)
			require.Empty(t, e.srv.TXT("_acme-challenge."+base), "TXT records cleaned up")
		})
	}
}

func TestIssueDNS01CNAMEDelegation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	name := pebbletest.UniqueDomain("")
	delegated := "acme." + pebbletest.UniqueDomain("delegated.test")
	e.srv.AddCNAME("_acme-challenge."+name, delegated)
	t.Cleanup(func() { e.srv.ClearCNAME("_acme-challenge." + name) })

	req := e.request(name)
	req.Challenge = certs.ChallengeDNS01
	ic, err := iss.Issue(testContext(t), req)
	require.NoError(t, err)
	e.parseIssued(t, ic)

	var recs []certs.DNSRecord
	for _, r := range e.dns.presented() {
		if r.Domain == name {
			recs = append(recs, r)
		}
	}
	require.Len(t, recs, 1)
	require.Equal(t, delegated+".", recs[0].FQDN, "record written in the delegated zone")
	require.NotEmpty(t, recs[0].Value)
	require.NotEmpty(t, recs[0].KeyAuth)
	require.Empty(t, e.srv.TXT(delegated), "cleaned up")
}

func TestIssueKeyTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	tests := []struct {
		keyType certs.KeyType
		check   func(t *testing.T, c *x509.Certificate)
	}{
		{"", func(t *testing.T, c *x509.Certificate) {
			require.Equal(t, elliptic.P256(), c.PublicKey.(*ecdsa.PublicKey).Curve)
		}},
		{certs.KeyEC256, func(t *testing.T, c *x509.Certificate) {
			require.Equal(t, elliptic.P256(), c.PublicKey.(*ecdsa.PublicKey).Curve)
		}},
		{certs.KeyEC384, func(t *testing.T, c *x509.Certificate) {
			require.Equal(t, elliptic.P384(), c.PublicKey.(*ecdsa.PublicKey).Curve)
		}},
		{certs.KeyRSA2048, func(t *testing.T, c *x509.Certificate) {
			require.Equal(t, 2048, c.PublicKey.(*rsa.PublicKey).N.BitLen())
		}},
		{certs.KeyRSA4096, func(t *testing.T, c *x509.Certificate) {
			require.Equal(t, 4096, c.PublicKey.(*rsa.PublicKey).N.BitLen())
		}},
	}
	for _, tc := range tests {
		t.Run("key "+string(tc.keyType), func(t *testing.T) {
			t.Parallel()
			req := e.request(pebbletest.UniqueDomain(""))
			req.KeyType = tc.keyType
			ic, err := iss.Issue(testContext(t), req)
			require.NoError(t, err)
			tc.check(t, e.parseIssued(t, ic)[0])
		})
	}
}

func TestIssueProfiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	for _, profile := range []string{"classic", "tlsserver", "shortlived"} {
		t.Run(profile, func(t *testing.T) {
			t.Parallel()
			name := pebbletest.UniqueDomain("")
			req := e.request(name)
			req.Profile = profile
			ic, err := iss.Issue(testContext(t), req)
			require.NoError(t, err)
			leaf := e.parseIssued(t, ic)[0]
			days := int(leaf.NotAfter.Sub(leaf.NotBefore).Hours() / 24)
			if profile == "shortlived" {
				require.Equal(t, 5, days) // 6 days minus one second
			} else {
				require.Equal(t, 89, days)
			}
			if profile == "classic" {
				require.Equal(t, name, leaf.Subject.CommonName)
			}
		})
	}
}
