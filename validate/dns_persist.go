package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// PersistRecordPrefix is the first label of a dns-persist-01 TXT record
// (draft-ietf-acme-dns-persist): "_validation-persist.example.com".
const PersistRecordPrefix = "_validation-persist"

// PersistValue is the value of a dns-persist-01 TXT record: an RFC 8659
// issue-value that lets one CA (its issuer domain name) validate a name,
// now and at every later order, for one ACME account.
type PersistValue struct {
	// IssuerDomainName names the CA ("letsencrypt.org"), as in the
	// issuer-domain-names of its dns-persist-01 challenges.
	IssuerDomainName string `json:"issuer_domain_name"`
	// AccountURI is the URI of the ACME account the CA may issue to.
	AccountURI string `json:"account_uri"`
	// Wildcard is "policy=wildcard": the record also authorizes wildcard
	// certificates ("*.example.com").
	Wildcard bool `json:"wildcard,omitempty"`
	// PersistUntil, when set, is when the record stops authorizing
	// ("persistUntil=<Unix seconds>").
	PersistUntil *time.Time `json:"persist_until,omitempty"`
}

// String formats v as the TXT record's value:
// "letsencrypt.org; accounturi=https://...; policy=wildcard".
func (v PersistValue) String() string {
	s := v.IssuerDomainName + "; accounturi=" + v.AccountURI
	if v.Wildcard {
		s += "; policy=wildcard"
	}
	if v.PersistUntil != nil {
		s += "; persistUntil=" + strconv.FormatInt(v.PersistUntil.Unix(), 10)
	}
	return s
}

// PersistRecordName is the name of hostname's dns-persist-01 record, that
// of its base domain for a wildcard: "_validation-persist.example.com".
func PersistRecordName(hostname string) string {
	return PersistRecordPrefix + "." + strings.TrimPrefix(dnsName(hostname), "*.")
}

// ParsePersistValue parses the value of a dns-persist-01 TXT record as
// CAs do: an issuer domain name, then ";"-separated tag=value parameters
// with optional spaces and tabs around them. Tags are case-insensitive and
// may not repeat; accounturi is required; a policy other than "wildcard"
// counts as none; persistUntil is in Unix seconds; other tags are
// ignored. Errors wrap ErrInvalidPersistTXT and say what is wrong.
func ParsePersistValue(s string) (PersistValue, error) {
	parts := strings.Split(s, ";")
	v := PersistValue{IssuerDomainName: trimWSP(parts[0])}
	if v.IssuerDomainName == "" {
		return PersistValue{}, fmt.Errorf("%w: %q starts with no issuer domain name", ErrInvalidPersistTXT, s)
	}
	seen := map[string]bool{}
	for _, p := range parts[1:] {
		tag, value, err := persistParameter(p)
		if err != nil {
			return PersistValue{}, fmt.Errorf("%w: %q: %v", ErrInvalidPersistTXT, s, err)
		}
		if seen[tag] {
			return PersistValue{}, fmt.Errorf("%w: %q: the parameter %s appears twice", ErrInvalidPersistTXT, s, tag)
		}
		seen[tag] = true
		if err := v.set(tag, value); err != nil {
			return PersistValue{}, fmt.Errorf("%w: %q: %v", ErrInvalidPersistTXT, s, err)
		}
	}
	if v.AccountURI == "" {
		return PersistValue{}, fmt.Errorf("%w: %q has no accounturi parameter", ErrInvalidPersistTXT, s)
	}
	return v, nil
}

// persistParameter splits one parameter into its lowercase tag and value.
func persistParameter(p string) (tag, value string, err error) {
	p = trimWSP(p)
	if p == "" {
		return "", "", fmt.Errorf("an empty parameter (a doubled or trailing ';')")
	}
	tag, value, ok := strings.Cut(p, "=")
	tag, value = trimWSP(tag), trimWSP(value)
	switch {
	case !ok:
		return "", "", fmt.Errorf("the parameter %q is not tag=value", p)
	case tag == "":
		return "", "", fmt.Errorf("the parameter %q has no tag", p)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < 0x21 || c > 0x7e || c == ';' {
			return "", "", fmt.Errorf("the value of %s has a space, control or non-ASCII character", tag)
		}
	}
	return strings.ToLower(tag), value, nil
}

// set records one parameter.
func (v *PersistValue) set(tag, value string) error {
	switch tag {
	case "accounturi":
		if value == "" {
			return fmt.Errorf("accounturi is empty")
		}
		v.AccountURI = value
	case "policy":
		v.Wildcard = strings.EqualFold(value, "wildcard")
	case "persistuntil":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return fmt.Errorf("persistUntil %q is not a time in Unix seconds", value)
		}
		t := time.Unix(n, 0).UTC()
		v.PersistUntil = &t
	}
	return nil
}

// trimWSP trims RFC 8659 whitespace (spaces and tabs).
func trimWSP(s string) string { return strings.Trim(s, " \t") }

// evalPersist reports the dns-persist-01 TXT values and whether one of
// them lets the required CA issue to the required account (with
// policy=wildcard for a wildcard) at now.
func (rep *DNSReport) evalPersist(req DNSRequirements, res lookupResult, now time.Time) {
	name := dnsName(req.Persist.Name)
	want, err := ParsePersistValue(req.Persist.Value)
	if name == "" || err != nil {
		return
	}
	rep.Records.PersistTXT = []string{}
	if res.err != nil {
		rep.addLookupError(res.err, "")
		return
	}
	for _, rr := range res.rrs {
		if v, err := ParseTXT(rr.(*dns.TXT).Txt); err == nil {
			rep.Records.PersistTXT = append(rep.Records.PersistTXT, v)
		}
	}
	slices.Sort(rep.Records.PersistTXT) // a set: servers order it as they like
	var faults []string
	for _, v := range rep.Records.PersistTXT {
		fault, ours := persistFault(v, want, now)
		switch {
		case ours && fault == "":
			rep.PersistTXTConfigured = true
			return
		case ours:
			faults = append(faults, fault)
		}
	}
	ref := DNSRecordRef{Type: "TXT", Name: name, Value: req.Persist.Value}
	if len(faults) == 0 {
		rep.add(DNSValidationError{Code: DNSCodeMissingPersistTXT,
			Message: fmt.Sprintf("add a TXT record %s with value %q; it lets %s validate the name for this platform's ACME account, now and at every renewal",
				name, req.Persist.Value, want.IssuerDomainName),
			Record: ref, Err: nxCause(name, res)})
		return
	}
	rep.add(DNSValidationError{Code: DNSCodeWrongPersistTXT,
		Message: fmt.Sprintf("change the TXT record %s to the value %q; %s", name, req.Persist.Value, strings.Join(faults, "; ")),
		Record:  ref})
}

// persistFault reports whether the record value v is for want's CA (ours)
// and, if so, why it does not authorize want at now ("" when it does).
func persistFault(v string, want PersistValue, now time.Time) (fault string, ours bool) {
	issuer, _, _ := strings.Cut(v, ";")
	if !strings.EqualFold(trimWSP(issuer), want.IssuerDomainName) {
		return "", false
	}
	record := "the record " + strconv.Quote(v)
	got, err := ParsePersistValue(v)
	switch {
	case err != nil:
		return record + " is malformed (" + strings.TrimPrefix(err.Error(), "validate: ") + ")", true
	case got.AccountURI != want.AccountURI:
		return record + " names another ACME account", true
	case want.Wildcard && !got.Wildcard:
		return record + " lacks policy=wildcard, which wildcard certificates need", true
	case got.PersistUntil != nil && now.After(*got.PersistUntil):
		return record + " expired at " + got.PersistUntil.Format(time.RFC3339), true
	}
	return "", true
}
