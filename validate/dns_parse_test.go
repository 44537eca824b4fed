package validate_test

import (
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/validate"
)

func TestParseCAA(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  validate.CAAValue
		ok    bool
	}{
		{"issuer", "letsencrypt.org", validate.CAAValue{Issuer: "letsencrypt.org"}, true},
		{"uppercase issuer is lowered", "LetsEncrypt.ORG", validate.CAAValue{Issuer: "letsencrypt.org"}, true},
		{"parameters", " letsencrypt.org ; accounturi=https://acme-v02.api.letsencrypt.org/acme/acct/1; validationmethods = dns-01 ",
			validate.CAAValue{Issuer: "letsencrypt.org", Parameters: []validate.CAAParameter{
				{Key: "accounturi", Value: "https://acme-v02.api.letsencrypt.org/acme/acct/1"},
				{Key: "validationmethods", Value: "dns-01"}}}, true},
		{"empty forbids", "", validate.CAAValue{}, true},
		{"semicolon only forbids", ";", validate.CAAValue{}, true},
		{"no issuer with parameter", "; a=b", validate.CAAValue{Parameters: []validate.CAAParameter{{Key: "a", Value: "b"}}}, true},
		{"bad issuer character", "lets_encrypt.org", validate.CAAValue{}, false},
		{"empty label", "letsencrypt..org", validate.CAAValue{}, false},
		{"leading hyphen", "-le.org", validate.CAAValue{}, false},
		{"parameter without =", "le.org; flag", validate.CAAValue{}, false},
		{"parameter value with space", "le.org; a=b c", validate.CAAValue{}, false},
		{"empty parameter tag", "le.org; =b", validate.CAAValue{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validate.ParseCAA(tc.value)
			if !tc.ok {
				require.ErrorIs(t, err, validate.ErrInvalidCAA)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestCAAAllows(t *testing.T) {
	rec := func(flag uint8, tag, value string) validate.CAARecord {
		return validate.CAARecord{Name: "example.com", Flag: flag, Tag: tag, Value: value}
	}
	tests := []struct {
		name     string
		rrs      []validate.CAARecord
		wildcard bool
		want     bool
	}{
		{"no records", nil, false, true},
		{"issue match", []validate.CAARecord{rec(0, "issue", "letsencrypt.org")}, false, true},
		{"tag is case-insensitive", []validate.CAARecord{rec(0, "ISSUE", "letsencrypt.org")}, false, true},
		{"issue other CA", []validate.CAARecord{rec(0, "issue", "pki.goog")}, false, false},
		{"one of several", []validate.CAARecord{rec(0, "issue", "pki.goog"), rec(0, "issue", "letsencrypt.org")}, false, true},
		{"malformed value authorizes nobody", []validate.CAARecord{rec(0, "issue", "letsencrypt.org; bad")}, false, false},
		{"only iodef", []validate.CAARecord{rec(0, "iodef", "mailto:a@example.com")}, false, true},
		{"critical known tag", []validate.CAARecord{rec(128, "issue", "letsencrypt.org")}, false, true},
		{"critical unknown tag", []validate.CAARecord{rec(0, "issue", "letsencrypt.org"), rec(128, "future", "x")}, false, false},
		{"non-critical unknown tag", []validate.CAARecord{rec(0, "future", "x")}, false, true},
		{"issuewild ignored for plain names", []validate.CAARecord{rec(0, "issuewild", ";")}, false, true},
		{"issuewild wins for wildcards", []validate.CAARecord{rec(0, "issue", "pki.goog"), rec(0, "issuewild", "letsencrypt.org")}, true, true},
		{"issuewild forbids wildcards", []validate.CAARecord{rec(0, "issue", "letsencrypt.org"), rec(0, "issuewild", ";")}, true, false},
		{"issue applies to wildcards without issuewild", []validate.CAARecord{rec(0, "issue", "letsencrypt.org")}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, validate.CAAAllows(tc.rrs, "letsencrypt.org", tc.wildcard))
		})
	}
}

func TestParseTXT(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   string
		ok     bool
	}{
		{"plain", []string{"app-123"}, "app-123", true},
		{"concatenated", []string{"app-", "123"}, "app-123", true},
		{"escaped quote and backslash", []string{`a\"b\\c`}, `a"b\c`, true},
		{"decimal escape", []string{`a\009b\255`}, "a\tb\xff", true},
		{"none", nil, "", true},
		{"trailing backslash", []string{`abc\`}, "", false},
		{"short decimal escape", []string{`a\12`}, "", false},
		{"escape above 255", []string{`\256`}, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validate.ParseTXT(tc.chunks)
			if !tc.ok {
				require.ErrorIs(t, err, validate.ErrInvalidTXT)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzParseCAA(f *testing.F) {
	for _, s := range []string{"letsencrypt.org", "le.org; a=b; c = d", ";", "", "x..y", "a; =", "Le-1.Org ;k=v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		v, err := validate.ParseCAA(value)
		if err != nil {
			require.ErrorIs(t, err, validate.ErrInvalidCAA)
			return
		}
		// A parsed value re-parses from its canonical form to itself.
		canon := v.Issuer
		for _, p := range v.Parameters {
			canon += ";" + p.Key + "=" + p.Value
		}
		again, err := validate.ParseCAA(canon)
		require.NoError(t, err, canon)
		require.Equal(t, v, again)
		// An issue record with the value authorizes exactly its issuer.
		rrs := []validate.CAARecord{{Tag: "issue", Value: value}}
		if v.Issuer != "" {
			require.True(t, validate.CAAAllows(rrs, v.Issuer, false))
		}
		require.False(t, validate.CAAAllows(rrs, "not-"+v.Issuer+"x.example", false))
	})
}

// FuzzTXT checks that ParseTXT inverts miekg/dns's presentation of TXT
// strings: raw bytes on the wire come back unchanged.
func FuzzTXT(f *testing.F) {
	for _, s := range []string{"app-123", `quote " and \ backslash`, "\x00\x01\xff", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 255 {
			raw = raw[:255]
		}
		rdata := append([]byte{byte(len(raw))}, raw...)
		hdr := dns.RR_Header{Name: "x.example.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 1, Rdlength: uint16(len(rdata))}
		rr, _, err := dns.UnpackRRWithHeader(hdr, rdata, 0)
		require.NoError(t, err)
		got, err := validate.ParseTXT(rr.(*dns.TXT).Txt)
		require.NoError(t, err)
		require.Equal(t, string(raw), got)
	})
}
