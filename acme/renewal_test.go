package acme_test

import (
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/internal/pebbletest"
)

func TestRenewalInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	ctx := testContext(t)
	ic, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
	leaf := e.parseIssued(t, ic)[0]

	w, err := iss.RenewalInfo(ctx, leaf)
	require.NoError(t, err)
	require.True(t, w.Start.After(leaf.NotBefore) && w.End.Before(leaf.NotAfter), "window %v-%v inside validity", w.Start, w.End)
	require.True(t, w.Start.Before(w.End))
	require.WithinDuration(t, time.Now().Add(6*time.Hour), w.RetryAfter, time.Minute, "Pebble's Retry-After")

	start := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	end := start.Add(30 * time.Minute)
	ari := fmt.Sprintf(`{"suggestedWindow":{"start":%q,"end":%q},"explanationURL":"https://ca.test/incident"}`,
		start.Format(time.RFC3339), end.Format(time.RFC3339))
	require.NoError(t, e.srv.SetRenewalInfo(ctx, ic.ChainPEM, ari))
	w, err = iss.RenewalInfo(ctx, leaf)
	require.NoError(t, err)
	require.True(t, start.Equal(w.Start), "forced start %v, got %v", start, w.Start)
	require.True(t, end.Equal(w.End))
	require.Equal(t, "https://ca.test/incident", w.ExplanationURL)

	require.NoError(t, e.srv.SetRenewalInfo(ctx, ic.ChainPEM, `{"suggestedWindow":{}}`))
	_, err = iss.RenewalInfo(ctx, leaf)
	require.ErrorContains(t, err, "invalid window")

	_, err = iss.RenewalInfo(ctx, nil)
	require.Error(t, err)
}

func TestRenewalInfoUnknownCertificate(t *testing.T) {
	t.Parallel()
	e, other := newEnv(t, pebbletest.Options{}), newEnv(t, pebbletest.Options{})
	ic, err := other.issuer(t).Issue(testContext(t), other.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
	_, err = e.issuer(t).RenewalInfo(testContext(t), other.parseIssued(t, ic)[0])
	require.ErrorContains(t, err, "acme: renewal info")
}

func TestIssueReplaces(t *testing.T) {
	t.Parallel()
	e, other := newEnv(t, pebbletest.Options{}), newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	ctx := testContext(t)
	name := pebbletest.UniqueDomain("")
	ic, err := iss.Issue(ctx, e.request(name))
	require.NoError(t, err)
	old := e.parseIssued(t, ic)[0]
	foreign, err := other.issuer(t).Issue(ctx, other.request(name))
	require.NoError(t, err)

	tests := []struct {
		name     string
		replaces func() *x509Cert
	}{
		{"replacement", func() *x509Cert { return old }},
		{"already replaced: the CA refuses, ordered without", func() *x509Cert { return old }},
		{"certificate of another CA: ordered without", func() *x509Cert { return other.parseIssued(t, foreign)[0] }},
	}
	for _, tc := range tests {
		req := e.request(name)
		req.Replaces = tc.replaces()
		ic, err := iss.Issue(ctx, req)
		require.NoError(t, err, tc.name)
		e.parseIssued(t, ic)
		// Pebble marks the replaced order from a goroutine that may still
		// run after the certificate is served, and reads the mark without
		// a lock (a data race inside Pebble): let it finish first.
		time.Sleep(200 * time.Millisecond)
	}
}

type x509Cert = x509.Certificate
