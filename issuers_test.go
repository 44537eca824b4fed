package certs_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// brokenCA is a real Pebble behind a proxy that refuses every new order
// with a server error, counting the requests that reach it.
type brokenCA struct {
	url  string
	hits atomic.Int64
	cli  *http.Client
}

func newBrokenCA(t *testing.T) *brokenCA {
	srv := pebbletest.Start(t, pebbletest.Options{})
	target, err := url.Parse(srv.DirectoryURL)
	require.NoError(t, err)
	target.Path = ""
	rp := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = r.In.Host },
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.Roots}},
	}
	b := &brokenCA{}
	proxy := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		if r.Method == http.MethodPost && r.URL.Path == "/order-plz" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"type":"urn:ietf:params:acme:error:serverInternal","detail":"the CA is down for maintenance","status":503}`)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	b.url, b.cli = proxy.URL+"/dir", proxy.Client()
	return b
}

// TestIssuersFallBackAndRenewWithTheIssuingCA: with two in-process
// Pebbles, the first made to fail, an order is issued by the second, the
// failure is recorded, the readable CA name is kept, and a renewal goes to
// the CA that issued without asking the broken one again.
func TestIssuersFallBackAndRenewWithTheIssuingCA(t *testing.T) {
	broken := newBrokenCA(t)
	good := pebbletest.Start(t, pebbletest.Options{})
	first, err := acme.New(acme.Config{DirectoryURL: broken.url, HTTPClient: broken.cli, AgreeTOS: true, Name: "broken_ca", Logger: quiet()})
	require.NoError(t, err)
	second, err := acme.New(acme.Config{DirectoryURL: good.DirectoryURL, HTTPClient: good.HTTPClient(), AgreeTOS: true,
		Logger: quiet(), DNSResolvers: []string{good.DNSAddr}})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", second.Name(), "a name derived from the directory")
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: certs.Issuers(first, second), Logger: quiet()})
	require.NoError(t, err)
	good.HandleHTTP01(t, m.HTTPHandler(nil))

	host := pebbletest.UniqueDomain("")
	h, err := m.Obtain(ctxT(t), host, certs.ObtainOptions{})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", h.ACME.CertificateAuthority)
	require.Len(t, h.ACME.FailedCAs, 1)
	require.Equal(t, "broken_ca", h.ACME.FailedCAs[0].CA)
	require.Contains(t, h.ACME.FailedCAs[0].Error, "maintenance")
	leaf := leafOf(t, m, host)
	require.Equal(t, h.ACME.Serial, fmt.Sprintf("%x", leaf.SerialNumber))

	hits := broken.hits.Load()
	renewed, err := m.Renew(ctxT(t), host, certs.RenewOptions{})
	require.NoError(t, err)
	require.NotEqual(t, h.ACME.Serial, renewed.ACME.Serial)
	require.Equal(t, "127.0.0.1", renewed.ACME.CertificateAuthority)
	require.Empty(t, renewed.ACME.FailedCAs)
	require.Equal(t, hits, broken.hits.Load(), "the renewal went to the issuing CA first")
}

func TestIssuersAllFail(t *testing.T) {
	a, b := newBrokenCA(t), newBrokenCA(t)
	first, err := acme.New(acme.Config{DirectoryURL: a.url, HTTPClient: a.cli, AgreeTOS: true, Name: "a", Logger: quiet()})
	require.NoError(t, err)
	second, err := acme.New(acme.Config{DirectoryURL: b.url, HTTPClient: b.cli, AgreeTOS: true, Name: "b", Logger: quiet()})
	require.NoError(t, err)
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: certs.Issuers(first, second), Logger: quiet()})
	require.NoError(t, err)
	_, err = m.Obtain(ctxT(t), pebbletest.UniqueDomain(""), certs.ObtainOptions{})
	var all *certs.IssuersError
	require.True(t, errors.As(err, &all), "%v", err)
	require.Len(t, all.Failures, 2)
	require.Equal(t, []string{"a", "b"}, []string{all.Failures[0].CA, all.Failures[1].CA})
	require.Contains(t, err.Error(), "maintenance")
}
