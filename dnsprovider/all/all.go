// Package all builds any DNS provider of this module by name, including
// the ones whose SDKs dnsprovider keeps out (route53, gcloud). Importing
// it pulls in the AWS SDK and the Google API client.
package all

import (
	"maps"
	"slices"
	"strings"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider"
	"github.com/certs-dev/certs/dnsprovider/gcloud"
	"github.com/certs-dev/certs/dnsprovider/route53"
)

// New builds the named provider from credentials stored as data, like
// dnsprovider.New, and also:
//
//	route53 (alias aws): accessKeyId, secretAccessKey, region (optional)
//	gcloud:              projectId, credentials (service account key JSON)
//
// Errors are those of dnsprovider.New: ErrUnknownProvider or a
// *CredentialError naming the field. No error of New or of the provider
// carries a credential value (dnsprovider.Redacting). New makes no
// network call.
func New(name string, credentials map[string]string) (certs.DNSProvider, error) {
	var (
		p   certs.DNSProvider
		err error
	)
	switch strings.ToLower(strings.TrimSpace(name)) {
	case route53.Name, "aws":
		p, err = route53.FromMap(credentials)
	case gcloud.Name:
		p, err = gcloud.FromMap(credentials)
	default:
		p, err = dnsprovider.New(name, credentials)
	}
	values := slices.Collect(maps.Values(credentials))
	if err != nil {
		return nil, dnsprovider.RedactError(err, values...)
	}
	return dnsprovider.Redacting(p, values...), nil
}
