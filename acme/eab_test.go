package acme_test

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
)

func TestEAB(t *testing.T) {
	t.Parallel()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	hmac := base64.RawURLEncoding.EncodeToString(key)
	wrong := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	e := newEnv(t, pebbletest.Options{RequireEAB: true, EABKeys: map[string]string{"kid-1": hmac}})

	tests := []struct {
		name    string
		eab     *acme.ExternalAccountBinding
		wantErr error
		anyErr  bool
	}{
		{name: "without EAB", wantErr: acme.ErrEABRequired},
		{name: "wrong HMAC", eab: &acme.ExternalAccountBinding{KeyID: "kid-1", HMACKey: wrong}, anyErr: true},
		{name: "unknown key ID", eab: &acme.ExternalAccountBinding{KeyID: "kid-2", HMACKey: hmac}, anyErr: true},
		{name: "with EAB", eab: &acme.ExternalAccountBinding{KeyID: "kid-1", HMACKey: hmac}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			iss := e.issuer(t, func(c *acme.Config) { c.EAB = tc.eab })
			ic, err := iss.Issue(testContext(t), e.request(pebbletest.UniqueDomain("")))
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
			case tc.anyErr:
				require.Error(t, err)
				require.NotContains(t, err.Error(), hmac)
				t.Log(err)
			default:
				require.NoError(t, err)
				e.parseIssued(t, ic)
			}
		})
	}
}

func TestEABRedacted(t *testing.T) {
	t.Parallel()
	eab := &acme.ExternalAccountBinding{KeyID: "kid-1", HMACKey: "c2VjcmV0LWhtYWMta2V5LXZhbHVl"}
	cfg := acme.Config{EAB: eab}
	for _, s := range []string{
		fmt.Sprint(eab), fmt.Sprintf("%v %+v %#v", eab, *eab, *eab),
		fmt.Sprintf("%v %+v", cfg, cfg),
	} {
		require.NotContains(t, s, eab.HMACKey)
	}
	require.Contains(t, eab.String(), "kid-1")
	_, err := acme.New(acme.Config{AgreeTOS: false, EAB: eab})
	require.Error(t, err)
	require.NotContains(t, err.Error(), eab.HMACKey)
}
