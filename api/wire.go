package api

import "time"

// Hostname is the API's resource: one hostname of the caller's tenant,
// its certificates (custom and ACME), its DNS requirements and the
// outcome of its last check. Field names follow the hosting platforms'
// certificate APIs. It never holds key material.
type Hostname struct {
	Hostname    string            `json:"hostname"`
	DisplayName string            `json:"display_name"`
	Labels      map[string]string `json:"labels"`
	// Status is that of the certificate served (custom first), or
	// pending_validation while there is none.
	Status string `json:"status"`
	// Configured: the last check found the hostname pointing at the
	// platform (false before the first check).
	Configured           bool `json:"configured"`
	ACMERequested        bool `json:"acme_requested"`
	HasCustomCertificate bool `json:"has_custom_certificate"`
	HasACMECertificate   bool `json:"has_acme_certificate"`
	// DNSProvider is the hostname's DNS host, guessed by the last check
	// from its zone's nameservers (null when unknown).
	DNSProvider            *string `json:"dns_provider"`
	ACMEDNSConfigured      bool    `json:"acme_dns_configured"`
	ACMEALPNConfigured     bool    `json:"acme_alpn_configured"`
	ACMEHTTPConfigured     bool    `json:"acme_http_configured"`
	OwnershipTXTConfigured bool    `json:"ownership_txt_configured"`
	// RateLimitedUntil is set while the CA refuses orders for it.
	RateLimitedUntil *time.Time `json:"rate_limited_until"`
	// Certificates are the custom certificate, then the ACME one.
	Certificates []Certificate `json:"certificates"`
	// PendingOrder is the ACME order still to be fulfilled, if any.
	PendingOrder *PendingOrder `json:"pending_order"`
	// ServedNames are the names its certificates are served for.
	ServedNames      []string          `json:"served_names"`
	Validation       Validation        `json:"validation"`
	DNSRequirements  DNSRequirements   `json:"dns_requirements"`
	ValidationErrors []ValidationError `json:"validation_errors"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

// Certificate is one certificate of a hostname, without its key.
type Certificate struct {
	// Source is "custom" or "acme".
	Source string `json:"source"`
	Status string `json:"status"`
	// Issuer is the issuer's distinguished name.
	Issuer            *string   `json:"issuer"`
	CommonName        string    `json:"common_name"`
	Names             []string  `json:"names"`
	SANs              []string  `json:"sans"`
	KeyType           string    `json:"key_type"`
	KeyBits           int       `json:"key_bits"`
	Serial            string    `json:"serial"`
	FingerprintSHA256 string    `json:"fingerprint_sha256"`
	NotBefore         time.Time `json:"not_before"`
	ExpiresAt         time.Time `json:"expires_at"`
	DaysUntilExpiry   int       `json:"days_until_expiry"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	Warnings          []Warning `json:"warnings"`
	// Issued lists an ACME certificate once per key type: the first, and
	// the second of the other family when one was asked for
	// (alt_key_type). Empty for custom certificates.
	Issued []Issued `json:"issued"`

	// ACME only.
	AutoRenew            *bool        `json:"auto_renew,omitempty"`
	ACMEOptions          *ACMEOptions `json:"acme_options,omitempty"`
	CertificateAuthority string       `json:"certificate_authority,omitempty"`
	NextRenewalAt        *time.Time   `json:"next_renewal_at,omitempty"`
	LastRenewAttempt     *time.Time   `json:"last_renew_attempt,omitempty"`
	LastRenewError       string       `json:"last_renew_error,omitempty"`
	RenewedFrom          *time.Time   `json:"renewed_from,omitempty"`
	RevokedAt            *time.Time   `json:"revoked_at,omitempty"`
	RevocationReason     string       `json:"revocation_reason,omitempty"`
}

// Issued is one ACME certificate of a key type.
type Issued struct {
	// Type is the key family: "ecdsa" or "rsa".
	Type                 string    `json:"type"`
	KeyBits              int       `json:"key_bits"`
	Status               string    `json:"status"`
	ExpiresAt            time.Time `json:"expires_at"`
	CertificateAuthority string    `json:"certificate_authority"`
	FingerprintSHA256    string    `json:"fingerprint_sha256"`
}

// Warning is a problem that does not prevent serving a certificate.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ACMEOptions are the options an ACME certificate is ordered and renewed
// with.
type ACMEOptions struct {
	KeyType    string `json:"key_type"`
	AltKeyType string `json:"alt_key_type"`
	Challenge  string `json:"challenge"`
	Profile    string `json:"profile"`
	// DNSProvider names the DNS-01 provider given by name (its
	// credentials are never shown).
	DNSProvider string `json:"dns_provider"`
}

// PendingOrder is an ACME order not yet fulfilled; it is retried on a
// backoff until it succeeds or the ACME certificate is deleted.
type PendingOrder struct {
	Names         []string    `json:"names"`
	Options       ACMEOptions `json:"options"`
	AutoRenew     bool        `json:"auto_renew"`
	RequestedAt   time.Time   `json:"requested_at"`
	Attempts      int         `json:"attempts"`
	LastAttemptAt *time.Time  `json:"last_attempt_at"`
	LastError     string      `json:"last_error"`
	NextAttemptAt *time.Time  `json:"next_attempt_at"`
}

// Validation is the outcome of the hostname's last check (all false
// before the first).
type Validation struct {
	CheckedAt              *time.Time `json:"checked_at"`
	DNSConfigured          bool       `json:"dns_configured"`
	ALPNConfigured         bool       `json:"alpn_configured"`
	HTTPConfigured         bool       `json:"http_configured"`
	ACMEDNSConfigured      bool       `json:"acme_dns_configured"`
	OwnershipTXTConfigured bool       `json:"ownership_txt_configured"`
	CAAPermits             bool       `json:"caa_permits"`
}

// DNSRequirements are the records a hostname needs.
type DNSRequirements struct {
	A             []string            `json:"a"`
	AAAA          []string            `json:"aaaa"`
	CNAME         *string             `json:"cname"`
	ACMEChallenge ACMEChallengeRecord `json:"acme_challenge"`
	Ownership     OwnershipRecord     `json:"ownership"`
}

// ACMEChallengeRecord is where _acme-challenge may be delegated (Target
// null when no delegation is offered).
type ACMEChallengeRecord struct {
	Name   string  `json:"name"`
	Target *string `json:"target"`
}

// OwnershipRecord is the TXT record that proves ownership: any one of
// Values at Name (Name null when ownership is not required).
type OwnershipRecord struct {
	Name   *string  `json:"name"`
	Values []string `json:"values"`
	// AppValue and OrgValue are the values named so by the platform's
	// per-tenant requirements (certs.DNSConfig OwnershipNamed "app_value"
	// and "org_value"), as 000 shows them; they are in Values too.
	AppValue *string `json:"app_value,omitempty"`
	OrgValue *string `json:"org_value,omitempty"`
}

// ValidationError is one thing to fix: a DNS record (source "dns", from
// the last check) or a challenge the CA could not validate (source
// "acme", from the last failed order).
type ValidationError struct {
	Source    string     `json:"source"`
	Code      string     `json:"code"`
	Message   string     `json:"message"`
	Domain    string     `json:"domain,omitempty"`
	Challenge string     `json:"challenge,omitempty"`
	Hint      string     `json:"hint,omitempty"`
	Record    *DNSRecord `json:"record,omitempty"`
}

// DNSRecord names one DNS record to add, change or remove.
type DNSRecord struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
}

// CheckResult is a hostname after a fresh DNS check, with the records
// found.
type CheckResult struct {
	Hostname
	DNSRecords DNSRecords `json:"dns_records"`
}

// DNSRecords are the records a check found.
type DNSRecords struct {
	A                  []string    `json:"a"`
	AAAA               []string    `json:"aaaa"`
	CNAME              []string    `json:"cname"`
	ResolvedAddresses  []string    `json:"resolved_addresses"`
	Zone               string      `json:"zone"`
	SOA                string      `json:"soa"`
	NS                 []string    `json:"ns"`
	ACMEChallengeCNAME *string     `json:"acme_challenge_cname"`
	OwnershipTXT       []string    `json:"ownership_txt"`
	CAA                []CAARecord `json:"caa"`
}

// CAARecord is one CAA record.
type CAARecord struct {
	Name  string `json:"name"`
	Flag  int    `json:"flag"`
	Tag   string `json:"tag"`
	Value string `json:"value"`
}

// Page is one page of hostnames.
type Page struct {
	Certificates []Hostname `json:"certificates"`
	// TotalCount counts the hostnames matching the query over all pages.
	TotalCount int `json:"total_count"`
	// NextCursor continues the listing (null on the last page).
	NextCursor *string `json:"next_cursor"`
}

// CertificateStatus summarizes the certificate a hostname serves.
type CertificateStatus struct {
	Hostname         string     `json:"hostname"`
	Status           string     `json:"status"`
	Source           *string    `json:"source"`
	ExpiresAt        *time.Time `json:"expires_at"`
	DaysUntilExpiry  *int       `json:"days_until_expiry"`
	AutoRenew        bool       `json:"auto_renew"`
	LastRenewAttempt *time.Time `json:"last_renew_attempt"`
	LastRenewError   *string    `json:"last_renew_error"`
}

// ValidationReport is the outcome of validating an upload without
// storing it.
type ValidationReport struct {
	Valid    bool          `json:"valid"`
	Hostname *string       `json:"hostname"`
	Errors   []ProblemItem `json:"errors"`
	Warnings []Warning     `json:"warnings"`
	// Facts describe the leaf (null when the upload could not be parsed).
	Facts *Facts `json:"facts"`
}

// Facts are the public facts of an uploaded certificate.
type Facts struct {
	CommonName         string    `json:"common_name"`
	SANs               []string  `json:"sans"`
	Issuer             string    `json:"issuer"`
	Serial             string    `json:"serial"`
	NotBefore          time.Time `json:"not_before"`
	ExpiresAt          time.Time `json:"expires_at"`
	KeyType            string    `json:"key_type"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	FingerprintSHA256  string    `json:"fingerprint_sha256"`
	SelfSigned         bool      `json:"self_signed"`
}

// Explanation says which hostname and certificate a TLS handshake for a
// server name gets, and why.
type Explanation struct {
	ServerName  string       `json:"server_name"`
	MatchedName string       `json:"matched_name"`
	Match       string       `json:"match"`
	Hostname    string       `json:"hostname"`
	Source      string       `json:"source"`
	Reason      string       `json:"reason"`
	Certificate *Certificate `json:"certificate"`
}

// PEMDownload is a download as JSON (Accept: application/json).
type PEMDownload struct {
	Hostname string `json:"hostname"`
	Source   string `json:"source"`
	Kind     string `json:"kind"`
	PEM      string `json:"pem"`
}

// PrivateKey is a private key as JSON (Accept: application/json). It is a
// secret: its String, Format and LogValue never show PEM.
type PrivateKey struct {
	Hostname string `json:"hostname"`
	Source   string `json:"source"`
	PEM      string `json:"private_key"`
}
