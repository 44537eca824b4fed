package acme_test

import (
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
