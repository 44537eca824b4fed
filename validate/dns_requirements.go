package validate

import (
	"maps"
	"slices"
	"strings"
)

// DefaultOwnershipPrefix is the first label of the ownership TXT record
// when RequirementsConfig.OwnershipPrefix is empty.
const DefaultOwnershipPrefix = "_certs-ownership"

// DNSRequirements are the records a hostname needs so that the platform can
// serve it and obtain its certificates. Names carry no trailing dot.
type DNSRequirements struct {
	// A and AAAA are the addresses the hostname may point at.
	A    []string `json:"a"`
	AAAA []string `json:"aaaa"`
	// CNAME is the target the hostname may point at instead ("" if none).
	CNAME string `json:"cname,omitempty"`
	// ACMEChallenge is where _acme-challenge may be delegated for DNS-01.
	ACMEChallenge ACMEChallengeRequirement `json:"acme_challenge"`
	// Ownership is the TXT record that proves ownership of the hostname.
	Ownership OwnershipRequirement `json:"ownership"`
	// Persist is the dns-persist-01 TXT record that lets the platform's CA
	// validate the hostname for its ACME account at every order, with no
	// DNS credentials (zero when none is asked for).
	Persist PersistRequirement `json:"persist,omitzero"`
}

// PersistRequirement is a dns-persist-01 TXT record (draft-ietf-acme-dns-persist).
type PersistRequirement struct {
	// Name is "_validation-persist.<hostname>" (without any "*.").
	Name string `json:"name"`
	// Value names the CA and the ACME account, with "policy=wildcard" for
	// a wildcard hostname: "letsencrypt.org; accounturi=https://...".
	Value string `json:"value"`
}

// ACMEChallengeRequirement is the CNAME that delegates DNS-01 to the platform.
type ACMEChallengeRequirement struct {
	// Name is "_acme-challenge.<hostname>" (without any "*.").
	Name string `json:"name"`
	// Target is where Name should point ("" when no delegation is offered).
	Target string `json:"target,omitempty"`
}

// OwnershipRequirement is the TXT record that proves ownership.
type OwnershipRequirement struct {
	// Name is the TXT record's name, e.g. "_certs-ownership.example.com"
	// ("" when ownership is not required).
	Name string `json:"name,omitempty"`
	// Values are the accepted values (e.g. an app value and an org value);
	// any one of them proves ownership.
	Values []string `json:"values,omitempty"`
	// Named are the values of RequirementsConfig.OwnershipNamed by name
	// ("app_value", "org_value"); they are in Values too.
	Named map[string]string `json:"named,omitempty"`
}

// RequirementsConfig is the platform's configuration from which
// Requirements derives each hostname's DNSRequirements.
type RequirementsConfig struct {
	// A and AAAA are the platform's addresses.
	A, AAAA []string
	// CNAME is the target hostnames may CNAME to (e.g. "my-app.example.net").
	CNAME string
	// ACMEChallengeZone is the platform zone under which _acme-challenge
	// may be delegated: the target is "<hostname>.<ACMEChallengeZone>".
	// Empty means no delegation is offered.
	ACMEChallengeZone string
	// OwnershipPrefix is the ownership TXT record's first label; empty
	// means DefaultOwnershipPrefix.
	OwnershipPrefix string
	// OwnershipValues are the accepted ownership TXT values; none means
	// ownership is not required.
	OwnershipValues []string
	// OwnershipNamed are accepted ownership TXT values under names the
	// platform shows its users (for example "app_value" and "org_value");
	// each is accepted like OwnershipValues.
	OwnershipNamed map[string]string
	// PersistIssuerDomain and PersistAccountURI, when both are set, ask
	// every hostname for a dns-persist-01 record naming this CA (its
	// issuer domain name, "letsencrypt.org") and this ACME account URI.
	// The certs Manager fills them from its Issuer when they are empty and
	// its DNSConfig.OfferPersist is set.
	PersistIssuerDomain string
	PersistAccountURI   string
}

// Requirements computes the DNS records that hostname needs under cfg.
// A wildcard hostname ("*.example.com") gets the challenge and ownership
// names of its base domain.
func Requirements(hostname string, cfg RequirementsConfig) DNSRequirements {
	host := dnsName(hostname)
	base := strings.TrimPrefix(host, "*.")
	req := DNSRequirements{
		A:     dnsNonNil(slices.Clone(cfg.A)),
		AAAA:  dnsNonNil(slices.Clone(cfg.AAAA)),
		CNAME: dnsName(cfg.CNAME),
		ACMEChallenge: ACMEChallengeRequirement{
			Name: "_acme-challenge." + base,
		},
	}
	if zone := dnsName(cfg.ACMEChallengeZone); zone != "" {
		req.ACMEChallenge.Target = base + "." + zone
	}
	if values := ownershipValues(cfg); len(values) > 0 {
		prefix := strings.Trim(cfg.OwnershipPrefix, ".")
		if prefix == "" {
			prefix = DefaultOwnershipPrefix
		}
		req.Ownership = OwnershipRequirement{Name: prefix + "." + base, Values: values, Named: maps.Clone(cfg.OwnershipNamed)}
	}
	if issuer, acct := dnsName(cfg.PersistIssuerDomain), strings.TrimSpace(cfg.PersistAccountURI); issuer != "" && acct != "" {
		v := PersistValue{IssuerDomainName: issuer, AccountURI: acct, Wildcard: host != base}
		req.Persist = PersistRequirement{Name: PersistRecordName(base), Value: v.String()}
	}
	return req
}

// ownershipValues are every accepted ownership value of cfg: the plain
// ones, then the named ones in name order, without repeats.
func ownershipValues(cfg RequirementsConfig) []string {
	values := slices.Clone(cfg.OwnershipValues)
	for _, k := range slices.Sorted(maps.Keys(cfg.OwnershipNamed)) {
		if v := cfg.OwnershipNamed[k]; v != "" && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	return values
}

// dnsName lowercases name and removes a trailing dot.
func dnsName(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// dnsNonNil returns s, or an empty slice for nil, so that JSON shows [].
func dnsNonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
