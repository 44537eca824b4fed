package certs_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// TestEventsEndToEnd drives the ACME life cycle against Pebble and checks
// what Manager.Subscribe delivers for each step: the event types in order,
// for the right hostname and source, with the certificate or error each
// one is about. A failing validation is a DNS provider that reports
// success but publishes nothing (the CA finds no TXT record).
func TestEventsEndToEnd(t *testing.T) {
	e := newACMEEnv(t, acmeOpts{})
	dns01 := certs.ObtainOptions{Challenge: certs.ChallengeDNS01}

	// step is what a row did, for its check.
	type step struct {
		first *certs.Host // after the first, successful Obtain (nil if none)
		host  *certs.Host // returned by the last call (nil on error)
		err   error       // returned by the last call
	}
	tests := []struct {
		name string
		// run acts on host; the events it causes are compared with want.
		run   func(ctx context.Context, host string) step
		want  []certs.EventType
		check func(t *testing.T, s step, last certs.Event)
	}{
		{
			name: "issued",
			run: func(ctx context.Context, host string) step {
				h, err := e.m.Obtain(ctx, host, dns01)
				return step{first: h, host: h, err: err}
			},
			want: []certs.EventType{certs.EventIssued},
			check: func(t *testing.T, s step, ev certs.Event) {
				require.NoError(t, s.err)
				require.NotNil(t, ev.Certificate)
				require.Equal(t, s.host.ACME.FingerprintSHA256, ev.Certificate.FingerprintSHA256)
				require.Equal(t, certs.SourceACME, ev.Certificate.Source)
				require.Equal(t, certs.StatusActive, ev.Certificate.Status)
				require.Empty(t, ev.Err)
			},
		},
		{
			name: "obtain_failed",
			run: func(ctx context.Context, host string) step {
				e.dns.broken.Store(true)
				defer e.dns.broken.Store(false)
				h, err := e.m.Obtain(ctx, host, dns01)
				return step{host: h, err: err}
			},
			want: []certs.EventType{certs.EventObtainFailed},
			check: func(t *testing.T, s step, ev certs.Event) {
				require.ErrorIs(t, s.err, certs.ErrValidationFailed)
				var verr *certs.ValidationError
				require.True(t, errors.As(s.err, &verr))
				// The event carries the error the caller got, with the CA's
				// problem and the fix.
				require.Contains(t, s.err.Error(), ev.Err)
				require.Contains(t, ev.Err, verr.Error())
				require.Contains(t, ev.Err, string(certs.ChallengeDNS01))
				require.Nil(t, ev.Certificate, "nothing was issued, nothing is served")
			},
		},
		{
			name: "renewal_failed",
			run: func(ctx context.Context, host string) step {
				first, err := e.m.Obtain(ctx, host, dns01)
				if err != nil {
					return step{err: err}
				}
				e.dns.broken.Store(true)
				defer e.dns.broken.Store(false)
				h, err := e.m.Renew(ctx, host, certs.RenewOptions{})
				return step{first: first, host: h, err: err}
			},
			want: []certs.EventType{certs.EventIssued, certs.EventRenewalFailed},
			check: func(t *testing.T, s step, ev certs.Event) {
				require.ErrorIs(t, s.err, certs.ErrValidationFailed)
				var verr *certs.ValidationError
				require.True(t, errors.As(s.err, &verr))
				require.Contains(t, s.err.Error(), ev.Err)
				require.Contains(t, ev.Err, verr.Error())
				// The certificate that failed to renew, still served, with
				// the failure recorded on it.
				require.NotNil(t, ev.Certificate)
				require.Equal(t, s.first.ACME.FingerprintSHA256, ev.Certificate.FingerprintSHA256)
				require.Equal(t, 1, ev.Certificate.FailureCount)
				require.Equal(t, ev.Err, ev.Certificate.LastRenewError)
				require.NotNil(t, ev.Certificate.NextRenewalAt)
			},
		},
		{
			name: "renewed",
			run: func(ctx context.Context, host string) step {
				first, err := e.m.Obtain(ctx, host, dns01)
				if err != nil {
					return step{err: err}
				}
				h, err := e.m.Renew(ctx, host, certs.RenewOptions{})
				return step{first: first, host: h, err: err}
			},
			want: []certs.EventType{certs.EventIssued, certs.EventRenewed},
			check: func(t *testing.T, s step, ev certs.Event) {
				require.NoError(t, s.err)
				require.NotNil(t, ev.Certificate)
				require.Equal(t, s.host.ACME.FingerprintSHA256, ev.Certificate.FingerprintSHA256)
				require.NotEqual(t, s.first.ACME.FingerprintSHA256, ev.Certificate.FingerprintSHA256)
				require.NotNil(t, ev.Certificate.RenewedFrom)
				require.True(t, ev.Certificate.RenewedFrom.Equal(s.first.ACME.NotBefore))
				require.Empty(t, ev.Err)
			},
		},
		{
			name: "revoked",
			run: func(ctx context.Context, host string) step {
				first, err := e.m.Obtain(ctx, host, dns01)
				if err != nil {
					return step{err: err}
				}
				h, err := e.m.Revoke(ctx, host, certs.ReasonSuperseded)
				return step{first: first, host: h, err: err}
			},
			want: []certs.EventType{certs.EventIssued, certs.EventRevoked},
			check: func(t *testing.T, s step, ev certs.Event) {
				require.NoError(t, s.err)
				// The revoked certificate itself, marked revoked.
				require.NotNil(t, ev.Certificate)
				require.Equal(t, s.first.ACME.FingerprintSHA256, ev.Certificate.FingerprintSHA256)
				require.Equal(t, certs.StatusRevoked, ev.Certificate.Status)
				require.NotNil(t, ev.Certificate.RevokedAt)
				require.NotNil(t, ev.Certificate.RevocationReason)
				require.Equal(t, certs.ReasonSuperseded, *ev.Certificate.RevocationReason)
				require.False(t, ev.Certificate.AutoRenew)
				require.Empty(t, ev.Err)
				leaf := parseChainLeaf(t, ev.Certificate.ChainPEM)
				status, err := e.srv.CertStatus(context.Background(), leaf.SerialNumber)
				require.NoError(t, err)
				require.Equal(t, "Revoked", status, "the CA revoked the certificate the event names")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := pebbletest.UniqueDomain("")
			log := recordEvents(e.m)
			defer log.stop()
			before := time.Now()
			s := tc.run(ctxT(t), host)
			after := time.Now()

			var got []certs.EventType
			var mine []certs.Event
			for _, ev := range log.all() {
				if ev.Hostname == host {
					mine = append(mine, ev)
					got = append(got, ev.Type)
				}
			}
			require.Equal(t, tc.want, got, "error: %v", s.err)
			require.Len(t, log.all(), len(mine), "no events for other hostnames")
			for _, ev := range mine {
				require.Equal(t, certs.SourceACME, ev.Source)
				require.False(t, ev.Time.Before(before) || ev.Time.After(after), "event time %s", ev.Time)
			}
			tc.check(t, s, mine[len(mine)-1])
		})
	}
}

// parseChainLeaf parses the leaf of a PEM chain.
func parseChainLeaf(t *testing.T, chainPEM string) *x509.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(chainPEM))
	require.NotNil(t, b, "no PEM block")
	c, err := x509.ParseCertificate(b.Bytes)
	require.NoError(t, err)
	return c
}

func TestEventTypesListsEveryType(t *testing.T) {
	src, err := os.ReadFile("events.go")
	require.NoError(t, err)
	n := strings.Count(string(src), " EventType = ")
	require.Len(t, certs.EventTypes(), n, "EventTypes lists every EventType constant")
}
