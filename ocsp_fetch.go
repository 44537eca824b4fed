package certs

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Asking an OCSP responder and checking its answer (see ocsp.go).

const (
	// ocspFetchTimeout bounds one request to one responder.
	ocspFetchTimeout = 10 * time.Second
	// maxOCSPResponse bounds the size of a response.
	maxOCSPResponse = 64 << 10
	// maxOCSPResponders is how many of a certificate's responders are tried.
	maxOCSPResponders = 3
	// ocspGETLimit is the longest request URL sent with GET (RFC 5019
	// section 5: GET, so that caches can answer, up to 255 bytes).
	ocspGETLimit = 255
)

// errOCSPIneligible marks the certificates whose responder is not asked.
var errOCSPIneligible = errors.New("certs: OCSP responder not asked")

// ocspTarget returns c's leaf and its issuer, about which the responder is
// asked. The issuer is found by verifying the chain against Config.Roots
// (else the system roots), so that only the responders named by
// certificates of trusted CAs are ever asked. Errors match
// errOCSPIneligible.
func (m *Manager) ocspTarget(c *Certificate, now time.Time) (leaf, issuer *x509.Certificate, err error) {
	chain, err := parseChain(c.ChainPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errOCSPIneligible, err)
	}
	leaf = chain[0]
	if len(leaf.OCSPServer) == 0 {
		return nil, nil, fmt.Errorf("%w: the certificate names no OCSP responder", errOCSPIneligible)
	}
	inter := x509.NewCertPool()
	for _, ic := range chain[1:] {
		inter.AddCert(ic)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots: m.roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: the chain does not verify against the trusted roots (%v), so the OCSP responder it names is not asked; "+
			"import the full chain, or add its root to Config.Roots", errOCSPIneligible, err)
	}
	if len(chains[0]) < 2 {
		return nil, nil, fmt.Errorf("%w: the certificate is itself a trusted root; it has no issuer to ask about", errOCSPIneligible)
	}
	return leaf, chains[0][1], nil
}

// parseChain parses a PEM chain, leaf first.
func parseChain(chainPEM string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := []byte(chainPEM)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certs: parse stored chain: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("certs: the stored chain holds no certificate")
	}
	return out, nil
}

// askOCSP asks leaf's responders in turn (at most maxOCSPResponders) and
// returns the first verified response and the responder that gave it. On
// failure it returns the first responder and every responder's error.
func (m *Manager) askOCSP(ctx context.Context, leaf, issuer *x509.Certificate, now time.Time) (*ocsp.Response, string, error) {
	req, err := ocsp.CreateRequest(leaf, issuer, nil)
	if err != nil {
		return nil, leaf.OCSPServer[0], fmt.Errorf("certs: build OCSP request: %w", err)
	}
	var errs []error
	for _, responder := range leaf.OCSPServer[:min(len(leaf.OCSPServer), maxOCSPResponders)] {
		der, err := m.ocspHTTP(ctx, responder, req)
		if err == nil {
			var resp *ocsp.Response
			if resp, err = verifyOCSP(der, leaf, issuer, now); err == nil {
				return resp, responder, nil
			}
			err = fmt.Errorf("certs: the OCSP response from %s does not verify, so it is not stapled: %w", responder, err)
		}
		errs = append(errs, err)
	}
	return nil, leaf.OCSPServer[0], errors.Join(errs...)
}

// ocspHTTP sends req to responder (GET when short enough, else POST) and
// returns the response body.
func (m *Manager) ocspHTTP(ctx context.Context, responder string, req []byte) ([]byte, error) {
	u, err := url.Parse(responder)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("certs: OCSP responder %.200q is not an http(s) URL", responder)
	}
	ctx, cancel := context.WithTimeout(ctx, ocspFetchTimeout)
	defer cancel()
	hr, err := ocspRequest(ctx, u, req)
	if err != nil {
		return nil, fmt.Errorf("certs: OCSP request to %s: %w", responder, err)
	}
	resp, err := m.ocspClient.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("certs: ask OCSP responder: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("certs: OCSP responder %s answered HTTP %d", responder, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxOCSPResponse+1))
	if err != nil {
		return nil, fmt.Errorf("certs: read OCSP response from %s: %w", responder, err)
	}
	if len(body) > maxOCSPResponse {
		return nil, fmt.Errorf("certs: OCSP response from %s is larger than %d bytes", responder, maxOCSPResponse)
	}
	return body, nil
}

// ocspRequest builds the HTTP request for an OCSP request (RFC 6960
// appendix A, RFC 5019 section 5).
func ocspRequest(ctx context.Context, u *url.URL, req []byte) (*http.Request, error) {
	esc := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString(req))
	get := strings.TrimSuffix(u.String(), "/") + "/" + esc
	if u.RawQuery == "" && u.Fragment == "" && len(get) <= ocspGETLimit {
		hr, err := http.NewRequestWithContext(ctx, http.MethodGet, get, nil)
		if err == nil {
			hr.Header.Set("Accept", "application/ocsp-response")
		}
		return hr, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(req))
	if err == nil {
		hr.Header.Set("Content-Type", "application/ocsp-request")
		hr.Header.Set("Accept", "application/ocsp-response")
	}
	return hr, err
}

// verifyOCSP parses der and checks that it answers for leaf, is signed by
// issuer (or by a responder certificate issuer delegated OCSP signing to)
// and is current at now. A response without NextUpdate gets one
// ocspNoNextUpdate after ThisUpdate.
func verifyOCSP(der []byte, leaf, issuer *x509.Certificate, now time.Time) (*ocsp.Response, error) {
	resp, err := ocsp.ParseResponseForCert(der, leaf, issuer)
	if err != nil {
		return nil, err
	}
	if rc := resp.Certificate; rc != nil && !bytes.Equal(rc.Raw, issuer.Raw) {
		if !slices.Contains(rc.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
			return nil, errors.New("the responder's certificate is not authorized to sign OCSP responses (no OCSPSigning extended key usage)")
		}
		if now.Before(rc.NotBefore) || now.After(rc.NotAfter) {
			return nil, errors.New("the responder's certificate is expired or not yet valid")
		}
	}
	if resp.NextUpdate.IsZero() {
		resp.NextUpdate = resp.ThisUpdate.Add(ocspNoNextUpdate)
	}
	switch {
	case resp.ThisUpdate.After(now.Add(ocspClockSkew)):
		return nil, fmt.Errorf("it is not valid yet (thisUpdate %s)", resp.ThisUpdate.UTC().Format(time.RFC3339))
	case !now.Before(resp.NextUpdate):
		return nil, fmt.Errorf("it has expired (nextUpdate %s)", resp.NextUpdate.UTC().Format(time.RFC3339))
	case resp.Status == ocsp.Unknown:
		return nil, errors.New("the responder does not know the certificate (status unknown)")
	}
	return resp, nil
}
