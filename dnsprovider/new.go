package dnsprovider

import (
	"fmt"
	"strings"

	"github.com/certs-dev/certs"
)

// Credential field names of New's map, per provider.
const (
	FieldAPIToken        = "apiToken"
	FieldAPIKey          = "apiKey"
	FieldAPISecret       = "apiSecret"
	FieldAccessKeyID     = "accessKeyId"
	FieldSecretAccessKey = "secretAccessKey"
	FieldRegion          = "region"
	FieldProjectID       = "projectId"
	FieldCredentials     = "credentials"
)

// New builds the named provider from credentials stored as data:
//
//	cloudflare:   apiToken
//	digitalocean: apiToken
//	godaddy:      apiKey, apiSecret
//
// The providers' errors never carry the credentials' values (see
// Redacting). Names are case-insensitive. route53 (alias aws) and gcloud live in
// their own packages: New returns a *SubpackageError for them; use
// dnsprovider/all.New. An unknown name wraps ErrUnknownProvider; a
// missing, empty or extra field is a *CredentialError naming the field.
// New makes no network call.
func New(name string, credentials map[string]string) (certs.DNSProvider, error) {
	switch n := strings.ToLower(strings.TrimSpace(name)); n {
	case "cloudflare":
		if err := CheckCredentials(n, credentials, []string{FieldAPIToken}, nil); err != nil {
			return nil, err
		}
		return NewCloudflare(CloudflareCredentials{APIToken: credentials[FieldAPIToken]})
	case "digitalocean":
		if err := CheckCredentials(n, credentials, []string{FieldAPIToken}, nil); err != nil {
			return nil, err
		}
		return NewDigitalOcean(DigitalOceanCredentials{APIToken: credentials[FieldAPIToken]})
	case "godaddy":
		if err := CheckCredentials(n, credentials, []string{FieldAPIKey, FieldAPISecret}, nil); err != nil {
			return nil, err
		}
		return NewGoDaddy(GoDaddyCredentials{APIKey: credentials[FieldAPIKey], APISecret: credentials[FieldAPISecret]})
	case "route53", "aws":
		return nil, &SubpackageError{Provider: n, Package: "github.com/certs-dev/certs/dnsprovider/route53", SDK: "AWS SDK"}
	case "gcloud":
		return nil, &SubpackageError{Provider: n, Package: "github.com/certs-dev/certs/dnsprovider/gcloud", SDK: "Google API client"}
	}
	return nil, fmt.Errorf("%w %q; use cloudflare, digitalocean, godaddy, route53 (aws) or gcloud", ErrUnknownProvider, name)
}
