package acme_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// Pebble rejects half of the good nonces; lego retries on badNonce.
func TestNonceRejection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{NonceRejectPercent: 50})
	iss := e.issuer(t)
	for _, c := range []certs.ChallengeType{certs.ChallengeHTTP01, certs.ChallengeDNS01} {
		req := e.request(pebbletest.UniqueDomain(""))
		req.Challenge = c
		ic, err := iss.Issue(testContext(t), req)
		require.NoError(t, err)
		e.parseIssued(t, ic)
	}
}
