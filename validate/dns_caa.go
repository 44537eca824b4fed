package validate

import (
	"fmt"
	"strconv"
	"strings"
)

// CAA property tags (RFC 8659 and the IANA registry).
const (
	CAATagIssue     = "issue"
	CAATagIssueWild = "issuewild"
	CAATagIODEF     = "iodef"
)

// caaFlagCritical is the Issuer Critical flag (RFC 8659 section 4.1).
const caaFlagCritical = 128

// knownCAATag reports a registered property tag; a critical record with
// any other tag forbids issuance.
func knownCAATag(tag string) bool {
	switch strings.ToLower(tag) {
	case "issue", "issuewild", "iodef", "contactemail", "contactphone", "issuemail", "issuevmc":
		return true
	}
	return false
}

// CAARecord is one CAA record.
type CAARecord struct {
	// Name is the record's owner (the node where the tree climb stopped).
	Name  string `json:"name"`
	Flag  uint8  `json:"flag"`
	Tag   string `json:"tag"`
	Value string `json:"value"`
}

// String formats the record's data as in a zone file: `0 issue "letsencrypt.org"`.
func (c CAARecord) String() string {
	return strconv.Itoa(int(c.Flag)) + " " + c.Tag + " " + strconv.Quote(c.Value)
}

// CAAValue is a parsed issue or issuewild value (RFC 8659 section 4.2).
type CAAValue struct {
	// Issuer is the CA's domain, lowercase; "" forbids every CA.
	Issuer string `json:"issuer"`
	// Parameters follow the issuer after ";", in order.
	Parameters []CAAParameter `json:"parameters,omitempty"`
}

// CAAParameter is one "key=value" parameter of an issue value.
type CAAParameter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ParseCAA parses the value of an issue or issuewild CAA record:
// an optional issuer domain name, then optional ";"-separated
// key=value parameters, with optional whitespace. Errors wrap ErrInvalidCAA.
func ParseCAA(value string) (CAAValue, error) {
	issuer, params, hasParams := strings.Cut(value, ";")
	issuer = strings.Trim(issuer, " \t")
	var out CAAValue
	if issuer != "" {
		if err := checkCAALabelSeq(issuer, "."); err != nil {
			return CAAValue{}, fmt.Errorf("%w: issuer %q: %v", ErrInvalidCAA, issuer, err)
		}
		out.Issuer = strings.ToLower(issuer)
	}
	if !hasParams || strings.Trim(params, " \t") == "" {
		return out, nil
	}
	for _, p := range strings.Split(params, ";") {
		param, err := parseCAAParameter(strings.Trim(p, " \t"))
		if err != nil {
			return CAAValue{}, err
		}
		out.Parameters = append(out.Parameters, param)
	}
	return out, nil
}

// parseCAAParameter parses "tag = value".
func parseCAAParameter(p string) (CAAParameter, error) {
	key, val, ok := strings.Cut(p, "=")
	if !ok {
		return CAAParameter{}, fmt.Errorf("%w: parameter %q has no \"=\"", ErrInvalidCAA, p)
	}
	key, val = strings.Trim(key, " \t"), strings.Trim(val, " \t")
	if err := checkCAALabelSeq(key, ""); err != nil {
		return CAAParameter{}, fmt.Errorf("%w: parameter tag %q: %v", ErrInvalidCAA, key, err)
	}
	for _, c := range []byte(val) {
		if c < 0x21 || c > 0x7e || c == ';' {
			return CAAParameter{}, fmt.Errorf("%w: parameter %q: value has a space, ';' or non-ASCII byte", ErrInvalidCAA, key)
		}
	}
	return CAAParameter{Key: key, Value: val}, nil
}

// checkCAALabelSeq checks labels of letters, digits and inner hyphens,
// separated by sep (or a single label when sep is "").
func checkCAALabelSeq(s, sep string) error {
	labels := []string{s}
	if sep != "" {
		labels = strings.Split(s, sep)
	}
	for _, l := range labels {
		if l == "" {
			return fmt.Errorf("empty label")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
			inner := c == '-' && i > 0 && i < len(l)-1
			if !alnum && !inner {
				return fmt.Errorf("invalid character %q", c)
			}
		}
	}
	return nil
}

// CAAAllows reports whether the relevant CAA RRset rrs lets the CA whose
// CAA domain is caIdentity issue for a name (wildcard: for "*.name"), per
// RFC 8659: an empty set allows everyone; a critical record with an
// unknown tag forbids everyone; for a wildcard, issuewild records take
// precedence over issue records; parameters are ignored; a malformed
// value authorizes no one.
func CAAAllows(rrs []CAARecord, caIdentity string, wildcard bool) bool {
	var issue, wild []CAARecord
	for _, rr := range rrs {
		tag := strings.ToLower(rr.Tag)
		switch {
		case rr.Flag&caaFlagCritical != 0 && !knownCAATag(tag):
			return false
		case tag == CAATagIssue:
			issue = append(issue, rr)
		case tag == CAATagIssueWild:
			wild = append(wild, rr)
		}
	}
	relevant := issue
	if wildcard && len(wild) > 0 {
		relevant = wild
	}
	if len(relevant) == 0 {
		return true
	}
	id := strings.ToLower(strings.TrimSuffix(caIdentity, "."))
	for _, rr := range relevant {
		if v, err := ParseCAA(rr.Value); err == nil && v.Issuer != "" && v.Issuer == id {
			return true
		}
	}
	return false
}

// criticalUnknownCAA returns the first critical record with an unknown tag.
func criticalUnknownCAA(rrs []CAARecord) (CAARecord, bool) {
	for _, rr := range rrs {
		if rr.Flag&caaFlagCritical != 0 && !knownCAATag(rr.Tag) {
			return rr, true
		}
	}
	return CAARecord{}, false
}
