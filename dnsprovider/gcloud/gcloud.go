// Package gcloud is the Google Cloud DNS provider. It lives in its own
// package because it imports the Google API client; dnsprovider/all.New
// covers it.
package gcloud

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-acme/lego/v4/providers/dns/gcloud"
	"golang.org/x/oauth2/google"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider"
	"github.com/certs-dev/certs/dnsprovider/internal/redact"
)

// Name is the provider's name in dnsprovider/all.New.
const Name = "gcloud"

// scope is the OAuth scope for reading and writing Cloud DNS.
const scope = "https://www.googleapis.com/auth/ndev.clouddns.readwrite"

// Credentials are a project and a service account key (the JSON file
// downloaded from the console) with the DNS Administrator role. They
// redact themselves when formatted, logged or encoded as JSON.
type Credentials struct {
	ProjectID       string
	CredentialsJSON string
}

// String describes the credentials without the key.
func (c Credentials) String() string {
	return redact.String("gcloud.Credentials",
		redact.Field{Name: "ProjectID", Value: c.ProjectID},
		redact.Field{Name: "CredentialsJSON", Value: c.CredentialsJSON, Secret: true})
}

// GoString is String.
func (c Credentials) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Credentials) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// MarshalJSON encodes String.
func (c Credentials) MarshalJSON() ([]byte, error) { return redact.JSON(c.String()), nil }

// LogValue logs String.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// New returns a Google Cloud DNS provider (on lego's). It uses exactly
// this key (no application default credentials or metadata server) and
// makes no network call until Present.
func New(c Credentials) (certs.DNSProvider, error) {
	return newProvider(context.Background(), c)
}

// FromMap builds the provider from the fields projectId and credentials
// (the service account key JSON), as dnsprovider.New does for other
// providers.
func FromMap(creds map[string]string) (certs.DNSProvider, error) {
	err := dnsprovider.CheckCredentials(Name, creds, []string{dnsprovider.FieldProjectID, dnsprovider.FieldCredentials}, nil)
	if err != nil {
		return nil, err
	}
	return New(Credentials{ProjectID: creds[dnsprovider.FieldProjectID], CredentialsJSON: creds[dnsprovider.FieldCredentials]})
}

// newProvider builds the provider; ctx carries the HTTP client for token
// requests (oauth2.HTTPClient) in tests.
func newProvider(ctx context.Context, c Credentials) (certs.DNSProvider, error) {
	if c.ProjectID == "" {
		return nil, &dnsprovider.CredentialError{Provider: Name, Field: dnsprovider.FieldProjectID, Problem: "is empty"}
	}
	if !json.Valid([]byte(c.CredentialsJSON)) {
		return nil, &dnsprovider.CredentialError{Provider: Name, Field: dnsprovider.FieldCredentials,
			Problem: "is not JSON; pass the service account key file's content"}
	}
	// The error of JWTConfigFromJSON could quote the key; it is dropped.
	conf, err := google.JWTConfigFromJSON([]byte(c.CredentialsJSON), scope)
	if err != nil {
		return nil, &dnsprovider.CredentialError{Provider: Name, Field: dnsprovider.FieldCredentials,
			Problem: "is not a service account key (it needs type, client_email and private_key)"}
	}
	p, err := gcloud.NewDNSProviderConfig(&gcloud.Config{
		Project:            c.ProjectID,
		TTL:                120,
		PropagationTimeout: 3 * time.Minute,
		PollingInterval:    5 * time.Second,
		HTTPClient:         conf.Client(ctx),
	})
	secrets := []string{c.CredentialsJSON, string(conf.PrivateKey), conf.PrivateKeyID}
	if err != nil {
		return nil, dnsprovider.RedactError(fmt.Errorf("dnsprovider: gcloud: %w", err), secrets...)
	}
	return dnsprovider.FromLego(p, secrets...), nil
}
