package certs

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
	"github.com/stretchr/testify/require"
)

// fullHost returns a Host with every stored field set, so that the round
// trip below covers each of them (a field added to Host or Certificate
// without a place in the stored form fails TestRecordRoundTrip).
func fullHost() *Host {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	reason := ReasonSuperseded
	cert := func(src Source) *Certificate {
		return &Certificate{
			Source: src, Status: StatusActive, DaysUntilExpiry: 5,
			Facts:    validate.Facts{CommonName: "x", SANs: []string{"x.example.com"}, NotBefore: t0, NotAfter: t0.Add(time.Hour)},
			ChainPEM: "chain", Warnings: []validate.Warning{{Code: "c", Message: "m"}},
			CreatedAt: t0, UpdatedAt: t0, Names: []string{"x.example.com", "www.x.example.com"},
			AutoRenew: true, Options: &ACMEOptions{KeyType: KeyEC256, DNSProvider: "cloudflare"},
			LastRenewAttempt: at(1), LastRenewError: "e", FailureCount: 2, NextRenewalAt: at(2),
			RenewedFrom: at(3), RateLimitedUntil: at(4), ARIWindowStart: at(5), ARIWindowEnd: at(6),
			ARICheckedAt: at(7), RevokedAt: at(8), RevocationReason: &reason, CA: "ca",
			CertificateAuthority: "lets_encrypt", FailedCAs: []CAFailure{{CA: "zerossl", Error: "e"}},
			OCSP: &OCSPInfo{Responder: "http://ocsp.example.com", Status: OCSPGood, ThisUpdate: at(10), NextUpdate: at(11),
				Stapled: true, RevokedAt: at(12), RevocationReason: &reason, CheckedAt: at(13), LastError: "e",
				FailureCount: 1, NextRefreshAt: at(14)},
		}
	}
	return &Host{
		Hostname: "x.example.com", Status: StatusActive, DisplayName: "X", Labels: map[string]string{"a": "b"},
		Custom: cert(SourceCustom), ACME: cert(SourceACME), ACMEAlt: cert(SourceACME), ACMERequested: true,
		Pending:           &PendingOrder{Names: []string{"x.example.com"}, Attempts: 1, RequestedAt: t0},
		ValidationErrors:  []ChallengeProblem{{Domain: "x.example.com", Detail: "d"}},
		OwnershipRequired: true, OwnershipVerified: true, VerifiedNames: []string{"www.x.example.com"},
		ServedNames: []string{"x.example.com"}, LastCheck: &CheckSummary{CheckedAt: t0, CAAPermits: true},
		DNSRequirements: &validate.DNSRequirements{CNAME: "edge"}, RateLimitedUntil: at(9),
		CreatedAt: t0, UpdatedAt: t0.Add(time.Minute),
	}
}

// requireAllSet fails for a zero field of v outside skip.
func requireAllSet(t *testing.T, v any, skip []string) {
	t.Helper()
	rv := reflect.ValueOf(v).Elem()
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		if !contains(skip, f.Name) {
			require.False(t, rv.Field(i).IsZero(), "%s.%s is not set in fullHost: add it there and to the stored form (schema.go)", rv.Type().Name(), f.Name)
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	h := fullHost()
	requireAllSet(t, h, nil)
	requireAllSet(t, h.ACME, nil)
	requireAllSet(t, h.ACME.OCSP, nil)
	rec, err := encodeRecord(h, keyring{SourceACME: []byte("k")})
	require.NoError(t, err)

	var raw map[string]any
	require.NoError(t, json.Unmarshal(rec.Data, &raw))
	require.EqualValues(t, recordVersion, raw["version"])
	for _, k := range []string{"status", "served_names", "dns_requirements"} {
		require.NotContains(t, raw, k, "derived value %q is stored", k)
	}
	for _, k := range []string{"status", "days_until_expiry"} {
		require.NotContains(t, raw["acme"], k, "derived certificate value %q is stored", k)
	}
	require.NotContains(t, raw["acme"].(map[string]any)["ocsp"], "stapled", "derived OCSP value is stored")

	got, keys, err := decodeRecord(rec)
	require.NoError(t, err)
	require.Equal(t, []byte("k"), keys[SourceACME])
	want := fullHost()
	want.Status, want.ServedNames, want.DNSRequirements = "", nil, nil
	for _, c := range []*Certificate{want.Custom, want.ACME, want.ACMEAlt} {
		c.Status, c.DaysUntilExpiry, c.OCSP.Stapled = "", 0, false
	}
	require.Equal(t, want, got)
}

func TestRecordVersions(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr error
	}{
		{"version 0: the API form stored before versions", `{"hostname":"x.example.com","status":"active","days_until_expiry":3,` +
			`"acme":{"source":"acme","status":"active","chain_pem":"c","names":["x.example.com"],"auto_renew":true},"acme_requested":true}`, nil},
		{"version 1", `{"version":1,"hostname":"x.example.com","acme":{"source":"acme","chain_pem":"c","names":["x.example.com"],"auto_renew":true},"acme_requested":true}`, nil},
		{"a newer version", `{"version":2,"hostname":"x.example.com"}`, ErrRecordVersion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _, err := decodeRecord(&store.Record{Name: "x.example.com", Data: []byte(tc.data)})
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.True(t, h.ACMERequested)
			require.Equal(t, []string{"x.example.com"}, h.ACME.Names)
			require.True(t, h.ACME.AutoRenew)
			require.Empty(t, h.Status, "derived values are not read back")
		})
	}
}
