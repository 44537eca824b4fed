package gcloud

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/certs-dev/certs/dnsprovider"
)

type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("no network in tests")
}

// serviceAccountKey returns a service account key file with a fresh key.
func serviceAccountKey(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	data, err := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "demo-project",
		"private_key_id": "0123456789abcdef",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "certs@demo-project.iam.gserviceaccount.com",
		"token_uri":      "https://oauth2.googleapis.com/token",
	})
	require.NoError(t, err)
	return string(data)
}

func TestNewMakesNoRequest(t *testing.T) {
	tr := &countingTransport{}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: tr})
	p, err := newProvider(ctx, Credentials{ProjectID: "demo-project", CredentialsJSON: serviceAccountKey(t)})
	require.NoError(t, err)
	_, ok := p.(dnsprovider.TimeoutProvider)
	require.True(t, ok)
	require.Zero(t, tr.n.Load())
}

func TestFromMap(t *testing.T) {
	key := serviceAccountKey(t)
	tests := []struct {
		name  string
		creds map[string]string
		field string
	}{
		{"complete", map[string]string{"projectId": "demo-project", "credentials": key}, ""},
		{"missing project", map[string]string{"credentials": key}, "projectId"},
		{"credentials not JSON", map[string]string{"projectId": "p", "credentials": "-----BEGIN PRIVATE KEY-----"}, "credentials"},
		{"credentials not a key", map[string]string{"projectId": "p", "credentials": `{"type":"authorized_user","refresh_token":"r"}`}, "credentials"},
		{"extra field", map[string]string{"projectId": "p", "credentials": key, "zone": "z"}, "zone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromMap(tc.creds)
			if tc.field == "" {
				require.NoError(t, err)
				require.NotNil(t, p)
				return
			}
			var ce *dnsprovider.CredentialError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
			out := fmt.Sprintf("%v %+v %#v", err, err, err)
			require.NotContains(t, out, "PRIVATE KEY")
			require.NotContains(t, out, "refresh_token")
		})
	}
}

func TestCredentialsNeverPrinted(t *testing.T) {
	c := Credentials{ProjectID: "demo-project", CredentialsJSON: serviceAccountKey(t)}
	data, err := json.Marshal(c)
	require.NoError(t, err)
	out := fmt.Sprintf("%v %+v %#v %s %x", c, c, c, &c, c) + string(data)
	require.NotContains(t, out, "PRIVATE KEY")
	require.NotContains(t, out, "client_email")
	require.Contains(t, out, "demo-project")
}
