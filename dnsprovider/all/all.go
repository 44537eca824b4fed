// Package all builds any DNS provider of this module by name, including
// the ones whose SDKs dnsprovider keeps out (route53, gcloud). Importing
// it pulls in the AWS SDK and the Google API client.
package all

import (
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
// *CredentialError naming the field. New makes no network call.
func New(name string, credentials map[string]string) (certs.DNSProvider, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case route53.Name, "aws":
		return route53.FromMap(credentials)
	case gcloud.Name:
		return gcloud.FromMap(credentials)
	}
	return dnsprovider.New(name, credentials)
}
