package api

// RequestACME adds a hostname to the caller's tenant (or takes one it
// holds) and requests an ACME certificate for it, issued in the
// background.
type RequestACME struct {
	Hostname string `json:"hostname"`
	// AlternateNames are further names on the same certificate.
	AlternateNames []string `json:"alternate_names,omitempty"`
	// Challenge is http-01, tls-alpn-01 or dns-01 (empty: http-01, dns-01
	// for wildcards).
	Challenge string `json:"challenge,omitempty"`
	// KeyType is ec256 (the default), ec384, rsa2048 or rsa4096;
	// AltKeyType asks for a second certificate of the other family.
	KeyType    string `json:"key_type,omitempty"`
	AltKeyType string `json:"alt_key_type,omitempty"`
	Profile    string `json:"profile,omitempty"`
	// AutoRenew defaults to true.
	AutoRenew *bool `json:"auto_renew,omitempty"`
	// DNSProvider and DNSCredentials name a DNS-01 provider and its
	// credentials, kept sealed for renewals and never shown.
	DNSProvider    string  `json:"dns_provider,omitempty"`
	DNSCredentials Secrets `json:"dns_credentials,omitempty"`
	// DryRun checks everything and changes nothing.
	DryRun bool `json:"dry_run,omitempty"`
	// DisplayName and Labels, when set, replace the hostname's own.
	DisplayName *string           `json:"display_name,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}

// Upload is a certificate and its key, in one of the accepted forms: a
// PEM full chain (or a PEM certificate and a separate chain) with a PEM
// key; the DER forms in base64; or a PKCS#12 bundle in base64 with its
// password. Its String, Format and LogValue show only which fields are
// set.
type Upload struct {
	Fullchain      string `json:"fullchain,omitempty"`
	Certificate    string `json:"certificate,omitempty"`
	Chain          string `json:"chain,omitempty"`
	PrivateKey     string `json:"private_key,omitempty"`
	CertificateDER string `json:"certificate_der,omitempty"`
	ChainDER       string `json:"chain_der,omitempty"`
	PrivateKeyDER  string `json:"private_key_der,omitempty"`
	PKCS12         string `json:"pkcs12,omitempty"`
	Password       string `json:"password,omitempty"`
}

// ImportCustom adds a hostname to the caller's tenant (or takes one it
// holds) with a custom certificate, replacing its custom certificate if
// it has one.
type ImportCustom struct {
	Hostname string `json:"hostname"`
	Upload
	// Names are further names the certificate is served for; AllNames
	// serves it for every DNS name it lists.
	Names    []string `json:"names,omitempty"`
	AllNames bool     `json:"all_names,omitempty"`
	// DisplayName and Labels, when set, replace the hostname's own.
	DisplayName *string           `json:"display_name,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
}

// ValidateCustom validates an upload without storing it; Hostname, when
// set, must be covered by the certificate.
type ValidateCustom struct {
	Hostname string `json:"hostname,omitempty"`
	Upload
}

// Renew renews a hostname's ACME certificate now. Set fields change the
// options, kept for later renewals.
type Renew struct {
	KeyType        string  `json:"key_type,omitempty"`
	AltKeyType     string  `json:"alt_key_type,omitempty"`
	Challenge      string  `json:"challenge,omitempty"`
	Profile        string  `json:"profile,omitempty"`
	AutoRenew      *bool   `json:"auto_renew,omitempty"`
	DNSProvider    string  `json:"dns_provider,omitempty"`
	DNSCredentials Secrets `json:"dns_credentials,omitempty"`
}

// Revoke revokes a hostname's ACME certificate with an RFC 5280 reason:
// unspecified (the default), key_compromise, affiliation_changed,
// superseded or cessation_of_operation.
type Revoke struct {
	Reason string `json:"reason,omitempty"`
}

// Metadata replaces a hostname's display name and labels (labels whose
// key starts with "certs." are reserved and kept).
type Metadata struct {
	DisplayName string            `json:"display_name"`
	Labels      map[string]string `json:"labels"`
}

// ACMESettings changes the ACME certificate's settings without renewing.
type ACMESettings struct {
	AutoRenew *bool `json:"auto_renew"`
}
