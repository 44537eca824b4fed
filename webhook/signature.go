package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery request.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex>": the HMAC-SHA256,
	// keyed with the subscription's secret, of the timestamp, a '.', and
	// the raw body (the scheme Stripe uses).
	SignatureHeader = "X-Certs-Signature"
	// EventHeader carries the event type ("renewed").
	EventHeader = "X-Certs-Event"
	// DeliveryHeader carries the delivery ID, the same on every attempt:
	// receivers deduplicate on it (delivery is at least once).
	DeliveryHeader = "X-Certs-Delivery"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// MaxBodyBytes bounds the body VerifyRequest reads.
const MaxBodyBytes = 1 << 20

// Sign returns the SignatureHeader value for body sent at t.
func Sign(secret Secret, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret Secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a SignatureHeader value against the raw body: one of its
// v1 signatures must be the body's HMAC under secret, and its timestamp
// within tolerance of now (zero tolerance means DefaultTolerance). The
// error is ErrNoSignature, ErrBadSignature or ErrStaleSignature.
func Verify(secret Secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, sigs, err := parseSignature(header)
	if err != nil {
		return err
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	sec, _ := strconv.ParseInt(ts, 10, 64) // checked by parseSignature
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w (signed at %s, %s from now, tolerance %s)", ErrStaleSignature,
			time.Unix(sec, 0).UTC().Format(time.RFC3339), d.Round(time.Second), tolerance)
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}

// parseSignature splits "t=<unix>,v1=<hex>[,v1=<hex>...]"; other schemes
// are ignored, so that new ones can be added beside v1.
func parseSignature(header string) (ts string, sigs [][]byte, err error) {
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !ok:
			continue
		case k == "t":
			if _, perr := strconv.ParseInt(v, 10, 64); perr != nil || ts != "" {
				return "", nil, ErrNoSignature
			}
			ts = v
		case k == "v1":
			if b, herr := hex.DecodeString(v); herr == nil && len(b) == sha256.Size {
				sigs = append(sigs, b)
			}
		}
	}
	if ts == "" || len(sigs) == 0 {
		return "", nil, ErrNoSignature
	}
	return ts, sigs, nil
}

// VerifyRequest reads a delivery request's body (at most MaxBodyBytes),
// verifies its signature as Verify does at now (pass time.Now()), and
// decodes the payload. It is the whole receiving side:
//
//	p, err := webhook.VerifyRequest(r, secret, time.Now(), 0)
//	if err != nil { http.Error(w, "bad signature", http.StatusBadRequest); return }
func VerifyRequest(r *http.Request, secret Secret, now time.Time, tolerance time.Duration) (*Payload, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("webhook: read the request body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return nil, ErrBodyTooLarge
	}
	if err := Verify(secret, r.Header.Get(SignatureHeader), body, now, tolerance); err != nil {
		return nil, err
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("webhook: decode the payload: %w", err)
	}
	return &p, nil
}
