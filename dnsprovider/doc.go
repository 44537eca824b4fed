// Package dnsprovider implements certs.DNSProvider for DNS-01 challenges.
//
// FromLego adapts any lego provider. NewCloudflare, NewDigitalOcean and
// NewGoDaddy build named providers from typed credentials, and New builds
// them from a map, for platforms that store credentials as data. Providers
// whose SDKs are heavy live in their own packages so that importing this
// one does not pull them in: dnsprovider/route53 (AWS SDK) and
// dnsprovider/gcloud (Google API client); dnsprovider/all.New covers every
// provider. dnsprovider/rfc2136 speaks RFC 2136 dynamic updates with TSIG.
//
// Credentials never appear in errors, logs or formatted output: the
// credential types redact themselves for every fmt verb, JSON and slog,
// and the errors of the providers that New, the named constructors and
// FromLego (given the credentials) return are redacted of them, in their
// URL-encoded, JSON-escaped and base64 forms too, even when a DNS API
// echoes them (Redacting, RedactError).
package dnsprovider
