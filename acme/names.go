package acme

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/net/idna"

	"github.com/certs-dev/certs"
)

// normalizeNames lowercases names, converts them to their ASCII (punycode)
// form, drops duplicates (keeping the first occurrence first) and checks
// each one. Wildcards ("*.example.com") need a DNS challenge (dns-01,
// dns-account-01 or dns-persist-01).
func normalizeNames(names []string, challenge certs.ChallengeType) ([]string, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: IssueRequest.Names is empty; give at least one hostname", ErrInvalidName)
	}
	out := make([]string, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		norm, err := normalizeName(n)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(norm, "*.") && !challenge.DNSBased() {
			return nil, fmt.Errorf("%w (%s with %s)", certs.ErrWildcardNeedsDNS01, norm, challenge)
		}
		if !seen[norm] {
			seen[norm] = true
			out = append(out, norm)
		}
	}
	return out, nil
}

func normalizeName(name string) (string, error) {
	n := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if ip := net.ParseIP(n); ip != nil {
		return ip.String(), nil
	}
	wildcard := strings.HasPrefix(n, "*.")
	host := strings.TrimPrefix(n, "*.")
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil || !validHostname(ascii) {
		return "", fmt.Errorf("%w %q: use a hostname such as example.com or *.example.com", ErrInvalidName, name)
	}
	if wildcard {
		return "*." + ascii, nil
	}
	return ascii, nil
}

// validHostname accepts LDH hostnames of at least two labels.
func validHostname(h string) bool {
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := range len(l) {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
