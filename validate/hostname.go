package validate

import (
	"crypto/x509"
	"net/netip"
	"strings"
)

// MatchHostname reports whether cert covers hostname. The names are its
// DNS and IP SANs, or its Subject CN only when it has no SANs at all.
// Comparison is case-insensitive and ignores a trailing dot. A wildcard
// SAN "*.example.com" covers exactly one label ("a.example.com", not
// "example.com" nor "a.b.example.com"); a wildcard hostname
// "*.example.com" is covered only by that very SAN. An IP hostname matches
// IP SANs only.
func MatchHostname(cert *x509.Certificate, hostname string) bool {
	if cert == nil {
		return false
	}
	host := normalize(hostname)
	if host == "" {
		return false
	}
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		for _, a := range cert.IPAddresses {
			if sanIP, ok := netip.AddrFromSlice(a); ok && sanIP.Unmap() == ip.Unmap() {
				return true
			}
		}
		return !hasSANs(cert) && normalize(cert.Subject.CommonName) == host
	}
	for _, pattern := range dnsNames(cert) {
		if matchPattern(normalize(pattern), host) {
			return true
		}
	}
	return false
}

// CoveredNames returns the names cert covers, as MatchHostname sees them:
// its DNS and IP SANs, or its CN when it has no SANs.
func CoveredNames(cert *x509.Certificate) []string {
	if cert == nil {
		return nil
	}
	if !hasSANs(cert) {
		if cert.Subject.CommonName == "" {
			return nil
		}
		return []string{cert.Subject.CommonName}
	}
	names := append([]string(nil), cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	return names
}

// hasSANs reports whether cert has a subjectAltName extension with any
// entry; then its CN is ignored, as browsers do.
func hasSANs(cert *x509.Certificate) bool {
	return len(cert.DNSNames) > 0 || len(cert.IPAddresses) > 0 || len(cert.EmailAddresses) > 0 || len(cert.URIs) > 0
}

// dnsNames returns the DNS patterns to match: the DNS SANs, or the CN.
func dnsNames(cert *x509.Certificate) []string {
	if hasSANs(cert) {
		return cert.DNSNames
	}
	if cert.Subject.CommonName == "" {
		return nil
	}
	return []string{cert.Subject.CommonName}
}

// matchPattern matches a normalized host against a normalized pattern.
func matchPattern(pattern, host string) bool {
	if pattern == "" {
		return false
	}
	if strings.Contains(host, "*") || !isWildcard(pattern) {
		return pattern == host
	}
	label, rest, ok := strings.Cut(host, ".")
	return ok && label != "" && rest == pattern[2:] && rest != ""
}

func isWildcard(name string) bool { return strings.HasPrefix(name, "*.") }

// normalize lowercases ASCII letters and drops one trailing dot.
func normalize(name string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
}
