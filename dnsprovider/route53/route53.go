// Package route53 is the AWS Route 53 DNS provider. It lives in its own
// package because it imports the AWS SDK; dnsprovider/all.New covers it.
package route53

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsroute53 "github.com/aws/aws-sdk-go-v2/service/route53"
	legoroute53 "github.com/go-acme/lego/v4/providers/dns/route53"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/dnsprovider"
	"github.com/certs-dev/certs/dnsprovider/internal/redact"
)

// Name is the provider's name in dnsprovider/all.New; "aws" is an alias.
const Name = "route53"

// DefaultRegion is used when Credentials.Region is empty; Route 53 is a
// global service, so any region works.
const DefaultRegion = "us-east-1"

// Credentials are an IAM access key allowed to change Route 53 record sets
// (route53:ListHostedZonesByName, ChangeResourceRecordSets,
// ListResourceRecordSets, GetChange). They redact themselves when
// formatted, logged or encoded as JSON.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	Region          string
}

// String describes the credentials without the key.
func (c Credentials) String() string {
	return redact.String("route53.Credentials",
		redact.Field{Name: "AccessKeyID", Value: c.AccessKeyID, Secret: true},
		redact.Field{Name: "SecretAccessKey", Value: c.SecretAccessKey, Secret: true},
		redact.Field{Name: "Region", Value: c.Region})
}

// GoString is String.
func (c Credentials) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Credentials) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// MarshalJSON encodes String.
func (c Credentials) MarshalJSON() ([]byte, error) { return redact.JSON(c.String()), nil }

// LogValue logs String.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// New returns a Route 53 provider (on lego's). The AWS client uses exactly
// these credentials: no environment variables, shared config files or
// instance metadata are read, and no network call is made until Present.
func New(c Credentials) (certs.DNSProvider, error) {
	return newProvider(c, nil)
}

// FromMap builds the provider from the fields accessKeyId,
// secretAccessKey and region (optional), as dnsprovider.New does for
// other providers.
func FromMap(creds map[string]string) (certs.DNSProvider, error) {
	err := dnsprovider.CheckCredentials(Name, creds,
		[]string{dnsprovider.FieldAccessKeyID, dnsprovider.FieldSecretAccessKey}, []string{dnsprovider.FieldRegion})
	if err != nil {
		return nil, err
	}
	return New(Credentials{AccessKeyID: creds[dnsprovider.FieldAccessKeyID],
		SecretAccessKey: creds[dnsprovider.FieldSecretAccessKey], Region: creds[dnsprovider.FieldRegion]})
}

func newProvider(c Credentials, hc aws.HTTPClient) (certs.DNSProvider, error) {
	switch {
	case c.AccessKeyID == "":
		return nil, &dnsprovider.CredentialError{Provider: Name, Field: dnsprovider.FieldAccessKeyID, Problem: "is empty"}
	case c.SecretAccessKey == "":
		return nil, &dnsprovider.CredentialError{Provider: Name, Field: dnsprovider.FieldSecretAccessKey, Problem: "is empty"}
	}
	region := c.Region
	if region == "" {
		region = DefaultRegion
	}
	client := awsroute53.New(awsroute53.Options{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, "")),
		Retryer:     retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 5 }),
		HTTPClient:  hc,
	})
	p, err := legoroute53.NewDNSProviderConfig(&legoroute53.Config{
		Client:                   client,
		MaxRetries:               5,
		WaitForRecordSetsChanged: true,
		TTL:                      10,
		PropagationTimeout:       2 * time.Minute,
		PollingInterval:          4 * time.Second,
	})
	if err != nil {
		return nil, dnsprovider.RedactError(fmt.Errorf("dnsprovider: route53: %w", err), c.AccessKeyID, c.SecretAccessKey)
	}
	return dnsprovider.FromLego(p, c.AccessKeyID, c.SecretAccessKey), nil
}
