package certs

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// idnaProfile converts Unicode names to ASCII (punycode) following the
// lookup rules browsers use. It is immutable and safe for concurrent use.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.Transitional(false),
)

const (
	maxHostnameLen = 253
	maxLabelLen    = 63
)

// NormalizeHostname returns the canonical form of a hostname: trimmed,
// lowercased, without a trailing dot, Unicode converted to punycode, and
// validated (label and total length, letters, digits and hyphens, no
// leading or trailing hyphen). A wildcard is allowed only as the whole
// leftmost label ("*.example.com"). IP addresses are rejected.
//
// Every Manager entry point normalizes hostnames with it, so "Example.COM."
// and "example.com" name the same record.
func NormalizeHostname(name string) (string, error) {
	orig := name
	name = strings.TrimSpace(name)
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return "", invalidHostname(orig, "it is empty")
	}
	if len(name) > 4*maxHostnameLen {
		return "", invalidHostname(orig, "it is longer than 253 characters")
	}
	if strings.ContainsAny(name, "\x00/\\ :@") {
		return "", invalidHostname(orig, "it contains a character not allowed in hostnames (NUL, '/', '\\', space, ':' or '@'); give a bare DNS name such as app.example.com")
	}
	if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		return "", invalidHostname(orig, "it is an IP address; certificates are managed for DNS names only")
	}
	wildcard := false
	if strings.HasPrefix(name, "*.") {
		wildcard = true
		name = name[2:]
	}
	if strings.Contains(name, "*") {
		return "", invalidHostname(orig, "a wildcard is allowed only as the whole leftmost label, as in *.example.com")
	}
	ascii, err := toASCII(name)
	if err != nil {
		return "", invalidHostname(orig, err.Error())
	}
	if err := checkLabels(ascii); err != nil {
		return "", invalidHostname(orig, err.Error())
	}
	if wildcard {
		if !strings.Contains(ascii, ".") {
			return "", invalidHostname(orig, "a wildcard needs at least two labels after it, as in *.example.com")
		}
		ascii = "*." + ascii
	}
	if len(ascii) > maxHostnameLen {
		return "", invalidHostname(orig, "it is longer than 253 characters")
	}
	return ascii, nil
}

func toASCII(name string) (string, error) {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			a, err := idnaProfile.ToASCII(name)
			if err != nil {
				return "", fmt.Errorf("it is not a valid internationalized name (%v)", err)
			}
			return a, nil
		}
	}
	return strings.ToLower(name), nil
}

func checkLabels(name string) error {
	if strings.Contains(name, "..") {
		return errors.New("it has an empty label ('..')")
	}
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return errors.New("it has an empty label")
		}
		if len(label) > maxLabelLen {
			return errors.New("a label is longer than 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("label %q starts or ends with a hyphen", label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return fmt.Errorf("label %q contains %q; use letters, digits and hyphens", label, c)
			}
		}
	}
	return nil
}

func invalidHostname(name, reason string) error {
	if len(name) > 80 {
		name = name[:80] + "..."
	}
	return fmt.Errorf("%w %q: %s", ErrInvalidHostname, name, reason)
}
