package custom

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
)

// String describes the input by sizes only: the certificate field may embed
// a key, so no bytes are printed, and the password is never shown.
func (in Input) String() string {
	return fmt.Sprintf("custom.Input{Certificate: %d bytes, PrivateKey: %s, Chain: %d bytes, PKCS12: %s, Password: %s}",
		len(in.Certificate), redactedBytes(in.PrivateKey), len(in.Chain), redactedBytes(in.PKCS12), redactedString(in.Password))
}

// GoString is String: %#v must not dump the key either.
func (in Input) GoString() string { return in.String() }

// inputJSON is the redacted JSON form of Input.
type inputJSON struct {
	CertificateBytes int  `json:"certificate_bytes"`
	PrivateKeyBytes  int  `json:"private_key_bytes"`
	ChainBytes       int  `json:"chain_bytes"`
	PKCS12Bytes      int  `json:"pkcs12_bytes"`
	PasswordSet      bool `json:"password_set"`
}

// MarshalJSON encodes sizes only, never the key, the bundle or the password.
func (in Input) MarshalJSON() ([]byte, error) {
	return json.Marshal(inputJSON{
		CertificateBytes: len(in.Certificate),
		PrivateKeyBytes:  len(in.PrivateKey),
		ChainBytes:       len(in.Chain),
		PKCS12Bytes:      len(in.PKCS12),
		PasswordSet:      in.Password != "",
	})
}

func redactedBytes(b []byte) string {
	if len(b) == 0 {
		return "none"
	}
	return fmt.Sprintf("[redacted %d bytes]", len(b))
}

func redactedString(s string) string {
	if s == "" {
		return "none"
	}
	return "[redacted]"
}

// String names the leaf, the intermediates and the key type, never the key.
func (b Bundle) String() string {
	var inter []string
	for _, c := range b.Intermediates {
		inter = append(inter, quoteShort(c.Subject.String()))
	}
	var notes []string
	for _, n := range b.Notes {
		notes = append(notes, n.Code)
	}
	return fmt.Sprintf("custom.Bundle{Leaf: %s, Intermediates: [%s], PrivateKey: %s, Notes: [%s]}",
		certName(b.Leaf), strings.Join(inter, ", "), keyLabel(b.PrivateKey), strings.Join(notes, ", "))
}

// GoString is String: %#v must not dump the key either.
func (b Bundle) GoString() string { return b.String() }

// bundleJSON is the JSON form of Bundle: public facts and PEM certificates.
type bundleJSON struct {
	Leaf          string   `json:"leaf"`
	DNSNames      []string `json:"dns_names,omitempty"`
	Intermediates []string `json:"intermediates"`
	KeyType       string   `json:"key_type"`
	ChainPEM      string   `json:"chain_pem"`
	Notes         []Note   `json:"notes"`
}

// MarshalJSON encodes the certificates and the key type, never the key.
func (b Bundle) MarshalJSON() ([]byte, error) {
	out := bundleJSON{KeyType: keyLabel(b.PrivateKey), Notes: b.Notes, Intermediates: []string{}}
	if b.Leaf != nil {
		out.Leaf = b.Leaf.Subject.String()
		out.DNSNames = b.Leaf.DNSNames
		out.ChainPEM = string(b.ChainPEM())
	}
	for _, c := range b.Intermediates {
		out.Intermediates = append(out.Intermediates, c.Subject.String())
	}
	return json.Marshal(out)
}

func certName(c *x509.Certificate) string {
	if c == nil {
		return "none"
	}
	return quoteShort(c.Subject.String())
}

// keyLabel names a key's type without revealing it.
func keyLabel(k crypto.Signer) string {
	switch k := k.(type) {
	case nil:
		return "none"
	case *rsa.PrivateKey:
		return fmt.Sprintf("rsa-%d", k.N.BitLen())
	case *ecdsa.PrivateKey:
		return "ecdsa-" + k.Curve.Params().Name
	case ed25519.PrivateKey:
		return "ed25519"
	default:
		return fmt.Sprintf("%T", k)
	}
}
