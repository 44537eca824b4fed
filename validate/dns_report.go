package validate

import (
	"errors"
	"time"
)

// DNSValidationError codes (DNSValidationError.Code). They are stable and
// machine-readable.
const (
	DNSCodeLookupFailed          = "lookup_failed"
	DNSCodeCNAMELoop             = "cname_loop"
	DNSCodeCNAMEChainTooLong     = "cname_chain_too_long"
	DNSCodeMissingA              = "missing_a"
	DNSCodeMissingAAAA           = "missing_aaaa"
	DNSCodeMissingCNAME          = "missing_cname"
	DNSCodeUnexpectedA           = "unexpected_a"
	DNSCodeUnexpectedAAAA        = "unexpected_aaaa"
	DNSCodeUnexpectedCNAME       = "unexpected_cname"
	DNSCodeWrongCNAME            = "wrong_cname"
	DNSCodeMissingACMEChallenge  = "missing_acme_challenge_cname"
	DNSCodeWrongACMEChallenge    = "wrong_acme_challenge_cname"
	DNSCodeMissingOwnershipTXT   = "missing_ownership_txt"
	DNSCodeWrongOwnershipTXT     = "wrong_ownership_txt"
	DNSCodeMissingPersistTXT     = "missing_persist_txt"
	DNSCodeWrongPersistTXT       = "wrong_persist_txt"
	DNSCodeCAAForbids            = "caa_forbids"
	DNSCodeCAACriticalUnknownTag = "caa_critical_unknown_tag"
)

// DNSReport is the outcome of Check for one hostname.
type DNSReport struct {
	// Hostname is the checked name, lowercase without a trailing dot.
	Hostname string `json:"hostname"`
	// DNSProvider is guessed from the zone's NS names ("" if unknown).
	DNSProvider string `json:"dns_provider"`
	// DNSConfigured: the hostname points at the platform (its addresses
	// are the expected ones, or its CNAME chain reaches the CNAME target).
	DNSConfigured bool `json:"dns_configured"`
	// HTTPConfigured: the CA's HTTP-01 request reaches the platform:
	// every address the hostname resolves to is expected, or its CNAME
	// chain passes through the platform's CNAME target (whose addresses
	// may be those of a proxy or CDN in front, which passes HTTP on).
	// Always false for wildcards, which need a DNS challenge.
	HTTPConfigured bool `json:"http_configured"`
	// ALPNConfigured: TLS-ALPN-01 reaches the platform's TLS listener:
	// every address the hostname resolves to is expected (or, when no
	// addresses are expected, its CNAME chain reaches the CNAME target). A
	// proxy or CDN in front ends TLS itself, so a name that reaches the
	// platform only through one is HTTPConfigured but not ALPNConfigured.
	ALPNConfigured bool `json:"alpn_configured"`
	// ACMEDNSConfigured: _acme-challenge is a CNAME to the delegation target.
	ACMEDNSConfigured bool `json:"acme_dns_configured"`
	// OwnershipTXTConfigured: the ownership TXT record holds an accepted
	// value (false when no ownership is required).
	OwnershipTXTConfigured bool `json:"ownership_txt_configured"`
	// PersistTXTConfigured: a dns-persist-01 record lets the required CA
	// issue to the required ACME account (DNSRequirements.Persist; false
	// when none is required).
	PersistTXTConfigured bool `json:"persist_txt_configured"`
	// CAAPermits: CAA lets at least one of CheckOptions.CAIdentities issue
	// (for "*." names, a wildcard certificate); CAAPermitted lists them.
	CAAPermits   bool     `json:"caa_permits"`
	CAAPermitted []string `json:"caa_permitted"`
	// ValidationErrors say which record to add, change or remove.
	ValidationErrors []DNSValidationError `json:"validation_errors"`
	// Records are what the lookups found.
	Records DNSRecords `json:"dns_records"`
	// CheckedAt is when the check finished.
	CheckedAt time.Time `json:"checked_at"`
}

// Err returns nil when the report has no validation errors, else all of
// them joined; errors.Is finds the lookup sentinels (ErrServFail, ...).
func (r *DNSReport) Err() error {
	errs := make([]error, len(r.ValidationErrors))
	for i, e := range r.ValidationErrors {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// DNSRecords are the records that Check found. Names carry no trailing
// dot. The records of one set (A, AAAA, OwnershipTXT, PersistTXT, CAA) are sorted: DNS
// does not order them, and servers such as BIND shuffle them.
type DNSRecords struct {
	// A and AAAA are the addresses at the end of the CNAME chain.
	A    []string `json:"a"`
	AAAA []string `json:"aaaa"`
	// CNAME is the chain of CNAME targets from the hostname, in order.
	CNAME []string `json:"cname"`
	// ResolvedAddresses are A then AAAA.
	ResolvedAddresses []string `json:"resolved_addresses"`
	// Zone is the apex of the hostname's zone; SOA its primary nameserver
	// (the SOA MNAME); NS its nameservers.
	Zone string   `json:"zone"`
	SOA  string   `json:"soa"`
	NS   []string `json:"ns"`
	// ACMEChallengeCNAME is the target of _acme-challenge's CNAME, if any.
	ACMEChallengeCNAME string `json:"acme_challenge_cname"`
	// OwnershipTXT are the values of the ownership TXT records.
	OwnershipTXT []string `json:"ownership_txt"`
	// PersistTXT are the values of the dns-persist-01 TXT records; nil
	// when none is required.
	PersistTXT []string `json:"persist_txt,omitempty"`
	// CAA is the relevant CAA RRset: that of the closest node, climbing
	// from the hostname towards the root, that has CAA records.
	CAA []CAARecord `json:"caa"`
}

// DNSValidationError is one record to add, change or remove.
type DNSValidationError struct {
	// Code is one of the DNSCode constants.
	Code string `json:"code"`
	// Message tells the user exactly what to do.
	Message string `json:"message"`
	// Record is the record to add or fix (Value empty when it is to be
	// removed whatever its value, or unknown).
	Record DNSRecordRef `json:"record"`
	// Err is the cause, when a lookup failed (a *LookupError).
	Err error `json:"-"`
}

// DNSRecordRef names one DNS record.
type DNSRecordRef struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// Error implements the error interface.
func (e DNSValidationError) Error() string { return "validate: " + e.Message }

// Unwrap returns the cause, if any.
func (e DNSValidationError) Unwrap() error { return e.Err }
