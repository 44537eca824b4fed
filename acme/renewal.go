package acme

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/certificate"

	"github.com/certs-dev/certs"
)

// RFC 9773 section 4.3: clients clamp Retry-After to [1 minute, 1 day]; 6
// hours is the usual default.
const (
	minARIRetry     = time.Minute
	maxARIRetry     = 24 * time.Hour
	defaultARIRetry = 6 * time.Hour
	maxARIBody      = 64 << 10
)

// RenewalInfo fetches the CA's suggested renewal window for cert (ACME ARI,
// RFC 9773). It needs no account. A CA without ARI gives ErrNoRenewalInfo.
func (i *Issuer) RenewalInfo(ctx context.Context, cert *x509.Certificate) (*certs.RenewalWindow, error) {
	if cert == nil {
		return nil, fmt.Errorf("acme: renewal info: nil certificate")
	}
	id, err := certificate.MakeARICertID(cert)
	if err != nil {
		return nil, fmt.Errorf("acme: renewal info: %w", err)
	}
	core, err := api.New(i.http.clientFor(ctx), userAgent, i.dirURL, "", nil)
	if err != nil {
		return nil, caError(ctx, "fetch directory "+i.dirURL, err)
	}
	resp, err := core.Certificates.GetRenewalInfo(id)
	if errors.Is(err, api.ErrNoARI) {
		return nil, ErrNoRenewalInfo
	}
	if err != nil {
		return nil, caError(ctx, "renewal info", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxARIBody))
	if err != nil {
		return nil, caError(ctx, "renewal info", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("acme: renewal info for serial %s: the CA answered %s: %s", cert.SerialNumber.Text(16), resp.Status, body)
	}
	return parseRenewalInfo(body, resp.Header.Get("Retry-After"), time.Now())
}

// parseRenewalInfo decodes an ARI response.
func parseRenewalInfo(body []byte, retryAfter string, now time.Time) (*certs.RenewalWindow, error) {
	var info legoacme.RenewalInfoResponse
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("acme: renewal info: decode: %w", err)
	}
	w := info.SuggestedWindow
	if w.Start.IsZero() || w.End.IsZero() || w.End.Before(w.Start) {
		return nil, fmt.Errorf("acme: renewal info: the CA sent an invalid window [%s, %s]", w.Start, w.End)
	}
	retry, err := api.ParseRetryAfter(retryAfter)
	if err != nil || retryAfter == "" {
		retry = defaultARIRetry
	}
	retry = min(max(retry, minARIRetry), maxARIRetry)
	return &certs.RenewalWindow{
		Start: w.Start, End: w.End, RetryAfter: now.Add(retry), ExplanationURL: info.ExplanationURL,
	}, nil
}
