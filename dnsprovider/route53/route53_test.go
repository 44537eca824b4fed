package route53

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/dnsprovider"
)

const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"

type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) Do(*http.Request) (*http.Response, error) {
	c.n.Add(1)
	return nil, errors.New("no network in tests")
}

func TestNewMakesNoRequest(t *testing.T) {
	tr := &countingTransport{}
	p, err := newProvider(Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: secret}, tr)
	require.NoError(t, err)
	_, ok := p.(dnsprovider.TimeoutProvider)
	require.True(t, ok)
	require.Zero(t, tr.n.Load())
}

func TestFromMap(t *testing.T) {
	tests := []struct {
		name  string
		creds map[string]string
		field string
	}{
		{"complete", map[string]string{"accessKeyId": "AKID", "secretAccessKey": secret, "region": "eu-west-1"}, ""},
		{"region is optional", map[string]string{"accessKeyId": "AKID", "secretAccessKey": secret}, ""},
		{"missing secret", map[string]string{"accessKeyId": "AKID"}, "secretAccessKey"},
		{"empty key id", map[string]string{"accessKeyId": "", "secretAccessKey": secret}, "accessKeyId"},
		{"extra field", map[string]string{"accessKeyId": "AKID", "secretAccessKey": secret, "sessionToken": secret}, "sessionToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromMap(tc.creds)
			if tc.field == "" {
				require.NoError(t, err)
				require.NotNil(t, p)
				require.NotContains(t, fmt.Sprintf("%v %+v %#v", p, p, p), secret)
				return
			}
			var ce *dnsprovider.CredentialError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
			require.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), secret)
		})
	}
}

func TestCredentialsNeverPrinted(t *testing.T) {
	c := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: secret, Region: "us-east-1"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "c", c)
	data, err := json.Marshal(c)
	require.NoError(t, err)
	out := fmt.Sprintf("%v %+v %#v %s %x %d", c, c, c, &c, c, c) + string(data) + logs.String()
	require.NotContains(t, out, secret)
	require.NotContains(t, out, "AKIDEXAMPLE")
	require.Contains(t, out, "us-east-1")
}
