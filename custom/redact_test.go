package custom

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
)

// TestNoSecretsPrinted checks that no way of printing or encoding an Input
// or a Bundle reveals the key, the PKCS#12 bytes or the password.
func TestNoSecretsPrinted(t *testing.T) {
	const password = "hunter2-very-secret"
	inter := testpki.NewCA(t).Intermediate(t)
	for _, kt := range []testpki.KeyType{testpki.RSA2048, testpki.Ed25519, testpki.ECDSAP256} {
		t.Run(kt.String(), func(t *testing.T) {
			l := inter.Leaf(t, []string{"a.test"}, testpki.LeafOptions{KeyType: kt})
			keyPEM := l.KeyPEM()
			in := Input{Certificate: cat(l.ChainPEM(), keyPEM), PrivateKey: keyPEM, PKCS12: []byte("PFXBYTES-0123456789"), Password: password}
			b, err := Parse(Input{Certificate: l.ChainPEM(), PrivateKey: keyPEM})
			require.NoError(t, err)
			secrets := append([]string{password, "PFXBYTES", "PRIVATE KEY"}, bodyLines(keyPEM)...)
			secrets = append(secrets, keySecrets(b.PrivateKey)...)
			for _, v := range []any{in, &in, *b, b, []any{in, b}, struct{ B *Bundle }{b}, struct{ B Bundle }{*b}} {
				var outs []string
				for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
					outs = append(outs, fmt.Sprintf(verb, v))
				}
				j, err := json.Marshal(v)
				require.NoError(t, err)
				outs = append(outs, string(j))
				for i, out := range outs {
					for _, s := range secrets {
						require.NotContains(t, out, s, "output %d of %T", i, v)
					}
				}
			}
			// They still say something useful.
			require.Contains(t, in.String(), "[redacted]")
			require.Contains(t, b.String(), "CN=a.test")
			var decoded map[string]any
			j, err := json.Marshal(b)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(j, &decoded))
			require.Equal(t, "CN=a.test", decoded["leaf"])
			require.True(t, strings.HasPrefix(decoded["chain_pem"].(string), "-----BEGIN CERTIFICATE-----"))
		})
	}
}

// keySecrets renders the private parts of key the ways fmt and JSON could.
func keySecrets(key any) []string {
	var raw [][]byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return []string{k.D.String(), k.D.Text(16), k.Primes[0].String(), k.Primes[0].Text(16)}
	case *ecdsa.PrivateKey:
		b, _ := k.Bytes()
		raw = append(raw, b)
	case ed25519.PrivateKey:
		raw = append(raw, k.Seed())
	}
	var out []string
	for _, b := range raw {
		p := b[:9]
		out = append(out,
			strings.Trim(fmt.Sprint(p), "[]"),
			strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", p), "[]byte{"), "}"),
			hex.EncodeToString(p),
			base64.StdEncoding.EncodeToString(p),
		)
	}
	return out
}
