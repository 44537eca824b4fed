package webhook_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/webhook"
)

// TestVerify: a receiver accepts the sender's signature of the raw body
// within the tolerance, and refuses everything else with a typed error.
func TestVerify(t *testing.T) {
	secret := webhook.Secret("whsec_0123456789abcdef")
	body := []byte(`{"id":"wh_1.0","type":"renewed","hostname":"shop.example.com"}`)
	at := time.Unix(1_800_000_000, 0)
	good := webhook.Sign(secret, at, body)
	tests := []struct {
		name   string
		secret webhook.Secret
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", secret, good, body, at, nil},
		{"valid within the tolerance", secret, good, body, at.Add(4 * time.Minute), nil},
		{"rotated: one of two v1 matches", secret, good + ",v1=" + strings.Repeat("ab", 32), body, at, nil},
		{"unknown scheme ignored", secret, "v0=zz," + good, body, at, nil},
		{"wrong secret", "whsec_another-secret-0000", good, body, at, webhook.ErrBadSignature},
		{"altered body", secret, good, append([]byte(" "), body...), at, webhook.ErrBadSignature},
		{"other timestamp", secret, strings.Replace(good, "t=1800000000", "t=1800000001", 1), body, at, webhook.ErrBadSignature},
		{"replayed later", secret, good, body, at.Add(6 * time.Minute), webhook.ErrStaleSignature},
		{"from the future", secret, good, body, at.Add(-6 * time.Minute), webhook.ErrStaleSignature},
		{"no header", secret, "", body, at, webhook.ErrNoSignature},
		{"no timestamp", secret, good[strings.Index(good, ",")+1:], body, at, webhook.ErrNoSignature},
		{"no v1", secret, "t=1800000000", body, at, webhook.ErrNoSignature},
		{"bad timestamp", secret, "t=soon,v1=" + strings.Repeat("ab", 32), body, at, webhook.ErrNoSignature},
		{"two timestamps", secret, "t=1," + good, body, at, webhook.ErrNoSignature},
		{"short v1", secret, "t=1800000000,v1=abcd", body, at, webhook.ErrNoSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.Verify(tc.secret, tc.header, tc.body, tc.now, 0)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
}

// TestVerifyRequestBounds: VerifyRequest refuses a body above
// MaxBodyBytes before verifying anything.
func TestVerifyRequestBounds(t *testing.T) {
	secret := webhook.Secret("whsec_0123456789abcdef")
	big := strings.Repeat("x", webhook.MaxBodyBytes+1)
	req := httptest.NewRequest("POST", "/hook", strings.NewReader(big))
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(secret, time.Now(), []byte(big)))
	_, err := webhook.VerifyRequest(req, secret, time.Now(), 0)
	require.ErrorIs(t, err, webhook.ErrBodyTooLarge)
}

// FuzzVerify: any header is refused with a typed error, never a panic,
// and what Sign makes always verifies.
func FuzzVerify(f *testing.F) {
	f.Add("t=1800000000,v1=00", []byte("{}"), int64(1_800_000_000))
	f.Add("t=,v1=,v1", []byte(""), int64(0))
	f.Add(",,==,t=1=2", []byte("x"), int64(-1))
	secret := webhook.Secret("whsec_fuzz-secret-0000")
	f.Fuzz(func(t *testing.T, header string, body []byte, unix int64) {
		now := time.Unix(unix, 0)
		if err := webhook.Verify(secret, header, body, now, 0); err != nil {
			require.True(t, errors.Is(err, webhook.ErrNoSignature) || errors.Is(err, webhook.ErrBadSignature) ||
				errors.Is(err, webhook.ErrStaleSignature), "an untyped error: %v", err)
		}
		require.NoError(t, webhook.Verify(secret, webhook.Sign(secret, now, body), body, now, 0))
	})
}
