package validate

import (
	"fmt"
	"strings"
)

// ParseTXT returns the value of a TXT record from its character-strings
// as miekg/dns presents them (dns.TXT.Txt): it undoes the "\X" and "\DDD"
// escapes of each string and concatenates them, as RFC 7208 section 3.3
// does for long values. Errors wrap ErrInvalidTXT.
func ParseTXT(chunks []string) (string, error) {
	var b strings.Builder
	for _, c := range chunks {
		if err := unescapeTXT(&b, c); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// unescapeTXT appends s to b, undoing presentation-format escapes.
func unescapeTXT(b *strings.Builder, s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return fmt.Errorf("%w: trailing backslash in %q", ErrInvalidTXT, s)
		}
		if !dnsIsDigit(s[i+1]) {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		if i+3 >= len(s) || !dnsIsDigit(s[i+2]) || !dnsIsDigit(s[i+3]) {
			return fmt.Errorf("%w: incomplete \\DDD escape in %q", ErrInvalidTXT, s)
		}
		n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
		if n > 255 {
			return fmt.Errorf("%w: escape \\%s is above 255 in %q", ErrInvalidTXT, s[i+1:i+4], s)
		}
		b.WriteByte(byte(n))
		i += 3
	}
	return nil
}

func dnsIsDigit(c byte) bool { return c >= '0' && c <= '9' }
