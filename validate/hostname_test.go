package validate

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// cert builds an unsigned certificate value: MatchHostname reads only the
// names.
func cert(cn string, sans ...string) *x509.Certificate {
	c := &x509.Certificate{Subject: pkix.Name{CommonName: cn}}
	for _, s := range sans {
		if ip := net.ParseIP(s); ip != nil {
			c.IPAddresses = append(c.IPAddresses, ip)
		} else {
			c.DNSNames = append(c.DNSNames, s)
		}
	}
	return c
}

func TestMatchHostname(t *testing.T) {
	withEmail := cert("mail.test")
	withEmail.EmailAddresses = []string{"admin@mail.test"}
	tests := []struct {
		name string
		cert *x509.Certificate
		host string
		want bool
	}{
		{"exact SAN", cert("", "example.com"), "example.com", true},
		{"second SAN", cert("", "a.test", "example.com"), "example.com", true},
		{"case-insensitive host", cert("", "example.com"), "EXAMPLE.com", true},
		{"case-insensitive SAN", cert("", "Example.COM"), "example.com", true},
		{"trailing dot on host", cert("", "example.com"), "example.com.", true},
		{"trailing dot on SAN", cert("", "example.com."), "example.com", true},
		{"other name", cert("", "example.com"), "example.org", false},
		{"suffix is not a match", cert("", "example.com"), "badexample.com", false},
		{"subdomain is not a match", cert("", "example.com"), "www.example.com", false},
		{"wildcard covers one label", cert("", "*.example.com"), "www.example.com", true},
		{"wildcard case-insensitive", cert("", "*.Example.com"), "WWW.example.COM", true},
		{"wildcard not two labels", cert("", "*.example.com"), "a.b.example.com", false},
		{"wildcard not the apex", cert("", "*.example.com"), "example.com", false},
		{"wildcard not an empty label", cert("", "*.example.com"), ".example.com", false},
		{"partial wildcard is literal", cert("", "w*.example.com"), "www.example.com", false},
		{"partial wildcard matches itself", cert("", "w*.example.com"), "w*.example.com", true},
		{"inner wildcard is literal", cert("", "a.*.example.com"), "a.b.example.com", false},
		{"bare wildcard matches nothing", cert("", "*"), "localhost", false},
		{"wildcard host, same wildcard SAN", cert("", "*.example.com"), "*.example.com", true},
		{"wildcard host, SAN case differs", cert("", "*.EXAMPLE.com"), "*.example.com", true},
		{"wildcard host, plain SANs", cert("", "a.example.com", "b.example.com"), "*.example.com", false},
		{"wildcard host, wider wildcard SAN", cert("", "*.example.com"), "*.a.example.com", false},
		{"wildcard host, deeper wildcard SAN", cert("", "*.a.example.com"), "*.example.com", false},
		{"host with star is literal", cert("", "*.example.com"), "a.*.example.com", false},
		{"CN when there are no SANs", cert("legacy.test"), "legacy.test", true},
		{"wildcard CN when there are no SANs", cert("*.legacy.test"), "a.legacy.test", true},
		{"CN ignored with DNS SANs", cert("legacy.test", "a.test"), "legacy.test", false},
		{"CN ignored with only an email SAN", withEmail, "mail.test", false},
		{"IP SAN", cert("", "192.0.2.1"), "192.0.2.1", true},
		{"IPv6 SAN", cert("", "2001:db8::1"), "2001:DB8:0::1", true},
		{"IP not matched by DNS SAN", cert("", "192.0.2.1.nip.io"), "192.0.2.1", false},
		{"DNS SAN spelled as an IP does not match a wildcard", cert("", "*.0.2.1"), "192.0.2.1", false},
		{"empty host", cert("example.com", "example.com"), "", false},
		{"empty SAN and CN", cert(""), "example.com", false},
		{"nil certificate", nil, "example.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, MatchHostname(tc.cert, tc.host))
		})
	}
}

func TestCoveredNames(t *testing.T) {
	require.Equal(t, []string{"a.test", "192.0.2.1"}, CoveredNames(cert("cn.test", "a.test", "192.0.2.1")))
	require.Equal(t, []string{"cn.test"}, CoveredNames(cert("cn.test")))
	require.Empty(t, CoveredNames(cert("")))
	require.Empty(t, CoveredNames(nil))
}

// FuzzMatchHostname checks MatchHostname never panics, is
// case-insensitive, agrees with crypto/x509's VerifyHostname on
// well-formed names, and covers a wildcard hostname only with that very
// SAN.
func FuzzMatchHostname(f *testing.F) {
	for _, s := range [][2]string{
		{"example.com", "example.com"}, {"*.example.com", "www.example.com"},
		{"*.example.com", "a.b.example.com"}, {"*.example.com", "*.example.com"},
		{"example.com", "*.example.com"}, {"192.0.2.1", "192.0.2.1"}, {"*", "a"},
		{"w*.example.com", "www.example.com"}, {"Example.COM.", "example.com"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, san, host string) {
		c := cert("", san)
		got := MatchHostname(c, host)
		if upper := asciiUpper(host); MatchHostname(c, upper) != got {
			t.Fatalf("case changes the answer for %q / %q", san, upper)
		}
		if strings.HasPrefix(normalize(host), "*.") && got != (normalize(host) == normalize(san)) {
			t.Fatalf("wildcard host %q matched by SAN %q: %v", host, san, got)
		}
		if wellFormed(host, false) && wellFormed(san, true) {
			want := c.VerifyHostname(host) == nil
			if got != want {
				t.Fatalf("MatchHostname(%q, %q) = %v, crypto/x509 says %v", san, host, got, want)
			}
		}
	})
}

func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// wellFormed reports whether name is a plain DNS name (lowercase letters,
// digits, inner hyphens, non-empty labels; a pattern may start with "*.")
// with at least two labels, where crypto/x509 and MatchHostname must agree.
func wellFormed(name string, pattern bool) bool {
	if pattern {
		name = strings.TrimPrefix(name, "*.")
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
