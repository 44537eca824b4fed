package acme_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

func TestRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	ctx := testContext(t)
	for _, reason := range []certs.RevocationReason{certs.ReasonUnspecified, certs.ReasonKeyCompromise, certs.ReasonSuperseded} {
		ic, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
		require.NoError(t, err)
		serial := e.parseIssued(t, ic)[0].SerialNumber

		require.NoError(t, iss.Revoke(ctx, ic.ChainPEM, reason))
		status, err := e.srv.CertStatus(ctx, serial)
		require.NoError(t, err)
		require.Equal(t, "Revoked", status)

		err = iss.Revoke(ctx, ic.ChainPEM, reason)
		require.ErrorIs(t, err, certs.ErrAlreadyRevoked)
	}
}

func TestRevokeInvalid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	ctx := testContext(t)
	ic, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)

	for _, reason := range []certs.RevocationReason{-1, 2, 6, 7, 8, 9, 10, 11} {
		require.ErrorIs(t, iss.Revoke(ctx, ic.ChainPEM, reason), certs.ErrInvalidReason, "reason %d", reason)
	}
	require.Error(t, iss.Revoke(ctx, []byte("not PEM"), certs.ReasonUnspecified))

	fresh := e.issuer(t) // no account at all: nothing is created
	require.ErrorIs(t, fresh.Revoke(ctx, ic.ChainPEM, certs.ReasonUnspecified), acme.ErrNoAccount)

	other := e.issuer(t) // another account did not obtain it
	_, err = other.Issue(ctx, certs.IssueRequest{Names: []string{"x.test"}, HTTP01: e.http01, DryRun: true})
	require.NoError(t, err)
	err = other.Revoke(ctx, ic.ChainPEM, certs.ReasonUnspecified)
	require.Error(t, err)
	require.NotErrorIs(t, err, certs.ErrAlreadyRevoked)
	require.Contains(t, err.Error(), "acme: revoke certificate")
}
