package certs

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"
)

// ocspAnswer is what the test responder answers.
type ocspAnswer int

const (
	answerGood           ocspAnswer = iota
	answerRevoked                   // revoked for key compromise, a day before now
	answerUnknown                   // status unknown
	answerWrongSigner               // signed with another CA's key
	answerForeignCert               // signed by another CA's responder, its certificate embedded
	answerWrongSerial               // a good answer for another serial number
	answerExpired                   // nextUpdate an hour ago
	answerFuture                    // thisUpdate a day from now
	answerDelegated                 // signed by a responder certificate with the OCSPSigning usage
	answerDelegatedNoEKU            // signed by a responder certificate without it
	answerTryLater                  // OCSP status tryLater
	answerHTTP500                   // HTTP 500
	answerGarbage                   // not an OCSP response
)

// ocspResponder is an OCSP responder on loopback that signs with the
// issuing CA's key, as a CA's responder does. Its clock is the Manager's,
// so that the responses' times agree with the Manager's view.
type ocspResponder struct {
	t      *testing.T
	URL    string
	issuer *testpki.CA
	now    func() time.Time
	// Validity is nextUpdate - thisUpdate; zero means 4 days.
	Validity time.Duration

	mu       sync.Mutex
	answer   ocspAnswer
	hits     int
	methods  []string
	serials  []*big.Int
	delegate *testpki.Leaf // the delegated responder certificates, made on first use
	noEKU    *testpki.Leaf
}

// newOCSPResponder starts a responder for the certificates issuer signs.
func newOCSPResponder(t *testing.T, issuer *testpki.CA, now func() time.Time) *ocspResponder {
	t.Helper()
	r := &ocspResponder{t: t, issuer: issuer, now: now}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/ocsp"
	return r
}

// deadResponderURL is the URL of a responder that is not there: a loopback
// port nothing listens on.
func deadResponderURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr + "/ocsp"
}

func (r *ocspResponder) setAnswer(a ocspAnswer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answer = a
}

// Hits returns how many requests the responder received.
func (r *ocspResponder) Hits() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits
}

func (r *ocspResponder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	raw, err := ocspRequestBytes(req)
	var oreq *ocsp.Request
	if err == nil {
		oreq, err = ocsp.ParseRequest(raw)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.hits++
	r.methods = append(r.methods, req.Method)
	r.serials = append(r.serials, oreq.SerialNumber)
	answer := r.answer
	r.mu.Unlock()
	switch answer {
	case answerHTTP500:
		http.Error(w, "responder down", http.StatusInternalServerError)
		return
	case answerTryLater:
		_, _ = w.Write(ocsp.TryLaterErrorResponse)
		return
	case answerGarbage:
		_, _ = w.Write([]byte("<html>not OCSP</html>"))
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(r.sign(answer, oreq.SerialNumber))
}

// ocspRequestBytes reads the DER request of a GET (RFC 5019) or POST.
func ocspRequestBytes(req *http.Request) ([]byte, error) {
	if req.Method == http.MethodPost {
		return io.ReadAll(req.Body)
	}
	p := req.URL.EscapedPath()
	enc, err := url.PathUnescape(p[strings.LastIndex(p, "/")+1:])
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(enc)
}

// sign builds the response for answer about serial.
func (r *ocspResponder) sign(answer ocspAnswer, serial *big.Int) []byte {
	now := r.now()
	validity := r.Validity
	if validity == 0 {
		validity = 4 * 24 * time.Hour
	}
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: serial, ThisUpdate: now.Add(-time.Minute)}
	tmpl.NextUpdate = tmpl.ThisUpdate.Add(validity)
	var signer crypto.Signer = r.issuer.Key
	responder := r.issuer.Cert
	switch answer {
	case answerRevoked:
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, now.Add(-24*time.Hour), ocsp.KeyCompromise
	case answerUnknown:
		tmpl.Status = ocsp.Unknown
	case answerWrongSigner:
		signer = testpki.NewCA(r.t).Key
	case answerForeignCert:
		other := testpki.NewCA(r.t)
		d := other.Leaf(r.t, nil, testpki.LeafOptions{CommonName: "foreign responder", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
		signer, responder, tmpl.Certificate = d.Key, d.Cert, d.Cert
	case answerWrongSerial:
		tmpl.SerialNumber = new(big.Int).Add(serial, big.NewInt(1))
	case answerExpired:
		tmpl.ThisUpdate, tmpl.NextUpdate = now.Add(-validity-time.Hour), now.Add(-time.Hour)
	case answerFuture:
		tmpl.ThisUpdate, tmpl.NextUpdate = now.Add(24*time.Hour), now.Add(24*time.Hour+validity)
	case answerDelegated, answerDelegatedNoEKU:
		d := r.delegated(answer == answerDelegated)
		signer, responder, tmpl.Certificate = d.Key, d.Cert, d.Cert
	}
	der, err := ocsp.CreateResponse(r.issuer.Cert, responder, tmpl, signer)
	require.NoError(r.t, err)
	return der
}

// delegated returns the responder certificate the issuer delegated OCSP
// signing to (withEKU), or one issued without that usage.
func (r *ocspResponder) delegated(withEKU bool) *testpki.Leaf {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, eku := &r.noEKU, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	if withEKU {
		p, eku = &r.delegate, []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}
	if *p == nil {
		*p = r.issuer.Leaf(r.t, nil, testpki.LeafOptions{CommonName: "testpki OCSP responder", ExtKeyUsage: eku})
	}
	return *p
}

// stapledHandshake connects with SNI and returns the connection state.
func stapledHandshake(t *testing.T, addr, sni string, roots *x509.CertPool, mod ...func(*tls.Config)) (tls.ConnectionState, error) {
	t.Helper()
	cfg := &tls.Config{ServerName: sni, RootCAs: roots}
	for _, fn := range mod {
		fn(cfg)
	}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	return c.ConnectionState(), nil
}

// requireStaple checks that a handshake for sni gets leaf with a good OCSP
// response for it, signed by issuer, and returns the response.
func requireStaple(t *testing.T, addr, sni string, roots *x509.CertPool, leaf *testpki.Leaf, issuer *x509.Certificate, mod ...func(*tls.Config)) *ocsp.Response {
	t.Helper()
	cs, err := stapledHandshake(t, addr, sni, roots, mod...)
	require.NoError(t, err)
	require.Equal(t, leaf.Cert.Raw, cs.PeerCertificates[0].Raw)
	require.NotEmpty(t, cs.OCSPResponse, "no OCSP response stapled")
	resp, err := ocsp.ParseResponse(cs.OCSPResponse, issuer)
	require.NoError(t, err)
	require.Zero(t, resp.SerialNumber.Cmp(leaf.Cert.SerialNumber), "stapled response is for another serial")
	require.Equal(t, ocsp.Good, resp.Status)
	return resp
}

// requireNoStaple checks that a handshake for sni succeeds and gets want
// without an OCSP response.
func requireNoStaple(t *testing.T, addr, sni string, roots *x509.CertPool, want *testpki.Leaf) {
	t.Helper()
	cs, err := stapledHandshake(t, addr, sni, roots)
	require.NoError(t, err)
	require.Equal(t, want.Cert.Raw, cs.PeerCertificates[0].Raw)
	require.Empty(t, cs.OCSPResponse)
}
