package acme_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// wrongHTTP serves a wrong key authorization.
type wrongHTTP struct{ *httpSolver }

func (w wrongHTTP) Present(ctx context.Context, domain, token, _ string) error {
	return w.httpSolver.Present(ctx, domain, token, "wrong-key-authorization")
}

// silentSolver presents nothing and counts clean-ups.
type silentSolver struct{ cleanups atomic.Int32 }

func (s *silentSolver) Present(context.Context, string, string, string) error { return nil }
func (s *silentSolver) CleanUp(context.Context, string, string, string) error {
	s.cleanups.Add(1)
	return nil
}

// silentDNS presents nothing and counts clean-ups.
type silentDNS struct{ cleanups atomic.Int32 }

func (s *silentDNS) Present(context.Context, certs.DNSRecord) error { return nil }
func (s *silentDNS) CleanUp(context.Context, certs.DNSRecord) error {
	s.cleanups.Add(1)
	return nil
}

// wrongDNS publishes a wrong TXT value.
type wrongDNS struct{ srv *pebbletest.Server }

func (w wrongDNS) Present(_ context.Context, rec certs.DNSRecord) error {
	w.srv.AddTXT(rec.FQDN, "wrong-value")
	return nil
}

func (w wrongDNS) CleanUp(_ context.Context, rec certs.DNSRecord) error {
	w.srv.RemoveTXT(rec.FQDN, "wrong-value")
	return nil
}

func TestValidationFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	silentTLS, silentTXT := &silentSolver{}, &silentDNS{}

	tests := []struct {
		name        string
		challenge   certs.ChallengeType
		setup       func(req *certs.IssueRequest)
		propagation time.Duration
		detail      string // in the CA's (or the propagation check's) detail
		hint        string // in the hint, after the name
		cleanedUp   func(t *testing.T, name string)
	}{
		{
			name: "http-01 wrong key authorization", challenge: certs.ChallengeHTTP01,
			setup:  func(r *certs.IssueRequest) { r.HTTP01 = wrongHTTP{e.http01} },
			detail: "did not match", hint: "/.well-known/acme-challenge/",
			cleanedUp: func(t *testing.T, _ string) { require.Zero(t, e.http01.len()) },
		},
		{
			name: "tls-alpn-01 no certificate", challenge: certs.ChallengeTLSALPN01,
			setup:  func(r *certs.IssueRequest) { r.TLSALPN01 = silentTLS },
			detail: "tls-alpn-01", hint: ":443",
			cleanedUp: func(t *testing.T, _ string) { require.NotZero(t, silentTLS.cleanups.Load()) },
		},
		{
			name: "dns-01 missing TXT, no propagation check", challenge: certs.ChallengeDNS01,
			setup:       func(r *certs.IssueRequest) { r.DNS01 = silentTXT },
			propagation: -1,
			detail:      "No TXT records found", hint: "add TXT record _acme-challenge.",
			cleanedUp: func(t *testing.T, _ string) { require.NotZero(t, silentTXT.cleanups.Load()) },
		},
		{
			name: "dns-01 wrong TXT, propagation check", challenge: certs.ChallengeDNS01,
			setup:       func(r *certs.IssueRequest) { r.DNS01 = wrongDNS{e.srv} },
			propagation: 700 * time.Millisecond,
			detail:      "not visible within 700ms", hint: "add TXT record _acme-challenge.",
			cleanedUp: func(t *testing.T, name string) { require.Empty(t, e.srv.TXT("_acme-challenge."+name)) },
		},
		{
			name: "dns-01 wrong TXT, no propagation check", challenge: certs.ChallengeDNS01,
			setup:       func(r *certs.IssueRequest) { r.DNS01 = wrongDNS{e.srv} },
			propagation: -1,
			detail:      "Correct value not found", hint: "add TXT record _acme-challenge.",
			cleanedUp: func(t *testing.T, name string) { require.Empty(t, e.srv.TXT("_acme-challenge."+name)) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			iss := e.issuer(t, func(c *acme.Config) { c.PropagationTimeout = tc.propagation })
			name := pebbletest.UniqueDomain("")
			req := e.request(name, "www."+name)
			req.Challenge = tc.challenge
			tc.setup(&req)

			_, err := iss.Issue(testContext(t), req)
			require.ErrorIs(t, err, certs.ErrValidationFailed)
			t.Log(err)
			var ve *certs.ValidationError
			require.True(t, errors.As(err, &ve))
			require.Len(t, ve.Problems, 2, "one problem per name")
			domains := []string{ve.Problems[0].Domain, ve.Problems[1].Domain}
			require.ElementsMatch(t, []string{name, "www." + name}, domains)
			for _, p := range ve.Problems {
				require.Equal(t, tc.challenge, p.Challenge)
				require.Contains(t, p.Detail, tc.detail)
				require.Contains(t, p.Hint, tc.hint)
				require.Contains(t, p.Hint, p.Domain)
			}
			tc.cleanedUp(t, name)
		})
	}
}
