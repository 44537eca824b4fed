package certs

import (
	"testing"
	"time"

	"github.com/certs-dev/certs/validate"
	"github.com/stretchr/testify/require"
)

// TestRetryOnCheck: which Check makes a pending order due at once, per
// challenge: the DNS must be right for it now and not at the previous
// Check, and the CA must not have rate-limited the hostname.
func TestRetryOnCheck(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	right := &CheckSummary{HTTPConfigured: true, ALPNConfigured: true, ACMEDNSConfigured: true}
	wrong := &CheckSummary{}
	tests := []struct {
		name       string
		challenge  ChallengeType
		provider   string // the order's named DNS provider
		delegation bool   // Config.DNS offers _acme-challenge delegation
		prev, cur  *CheckSummary
		limited    bool
		want       bool
	}{
		{"http-01 fixed", ChallengeHTTP01, "", false, wrong, right, false, true},
		{"http-01 first check, right", ChallengeHTTP01, "", false, nil, right, false, true},
		{"http-01 still wrong", ChallengeHTTP01, "", false, wrong, wrong, false, false},
		{"http-01 right again: no extra order", ChallengeHTTP01, "", false, right, right, false, false},
		{"http-01 fixed but rate limited", ChallengeHTTP01, "", false, wrong, right, true, false},
		{"tls-alpn-01 fixed", ChallengeTLSALPN01, "", false, wrong, &CheckSummary{ALPNConfigured: true}, false, true},
		{"tls-alpn-01 wrong", ChallengeTLSALPN01, "", false, wrong, &CheckSummary{HTTPConfigured: true}, false, false},
		{"dns-01 without delegation, first check", ChallengeDNS01, "", false, nil, wrong, false, true},
		{"dns-01 without delegation, again", ChallengeDNS01, "", false, wrong, wrong, false, false},
		{"dns-01 delegation set up", ChallengeDNS01, "", true, wrong, right, false, true},
		{"dns-01 delegation missing", ChallengeDNS01, "", true, wrong, wrong, false, false},
		{"dns-01 own provider needs no delegation", ChallengeDNS01, "cloudflare", true, nil, wrong, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &Manager{}
			if tc.delegation {
				m.dnsCfg.RequirementsConfig = validate.RequirementsConfig{ACMEChallengeZone: "acme.platform.net"}
			}
			h := &Host{LastCheck: tc.cur, Pending: &PendingOrder{
				Options: ACMEOptions{Challenge: tc.challenge, DNSProvider: tc.provider}, NextAttemptAt: &later}}
			if tc.limited {
				h.RateLimitedUntil = &later
			}
			require.Equal(t, tc.want, m.retryOnCheck(h, tc.prev, now))
			want := later
			if tc.want {
				want = now
			}
			require.Equal(t, want, *h.Pending.NextAttemptAt)
		})
	}
}
