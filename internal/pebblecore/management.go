package pebblecore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
)

// Paths of Pebble's management interface.
const (
	setRenewalInfoPath = "/set-renewal-info/"
	certStatusPath     = "/cert-status-by-serial/"
)

// SetRenewalInfo makes the CA answer ARI requests for the certificate in
// certPEM (its first PEM block) with the literal body ariResponse, for
// example `{"suggestedWindow":{"start":"...","end":"..."}}`.
func (s *Server) SetRenewalInfo(ctx context.Context, certPEM []byte, ariResponse string) error {
	body, err := json.Marshal(struct{ Certificate, ARIResponse string }{string(certPEM), ariResponse})
	if err != nil {
		return fmt.Errorf("pebblecore: set renewal info: %w", err)
	}
	resp, err := s.management(ctx, http.MethodPost, setRenewalInfoPath, body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pebblecore: set renewal info: %s: %s", resp.Status, resp.body)
	}
	return nil
}

// CertStatus returns the CA's status of the certificate with this serial:
// "Valid" or "Revoked".
func (s *Server) CertStatus(ctx context.Context, serial *big.Int) (string, error) {
	resp, err := s.management(ctx, http.MethodGet, certStatusPath+serial.Text(16), nil)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("pebblecore: cert status: %s", resp.Status)
	}
	var st struct{ Status string }
	if err := json.Unmarshal(resp.body, &st); err != nil {
		return "", fmt.Errorf("pebblecore: cert status: %w", err)
	}
	return st.Status, nil
}

type mgmtResponse struct {
	StatusCode int
	Status     string
	body       []byte
}

func (s *Server) management(ctx context.Context, method, path string, body []byte) (*mgmtResponse, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.ManagementURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("pebblecore: management: %w", err)
	}
	req.Header.Set("User-Agent", "pebbletest") // Pebble rejects requests without one
	resp, err := (&http.Client{Transport: s.transport}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("pebblecore: management: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("pebblecore: management: %w", err)
	}
	return &mgmtResponse{StatusCode: resp.StatusCode, Status: resp.Status, body: b}, nil
}
