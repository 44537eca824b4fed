package custom

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/bits"
)

// keyError is a key parsing failure; the caller adds where the key was.
type keyError struct {
	sentinel error  // ErrInvalidPEM or ErrUnsupportedKeyType
	detail   string // what is wrong and what to do
}

func (e *keyError) Error() string { return e.sentinel.Error() + ": " + e.detail }

// at formats the failure for the key found at where, e.g. "private key: PEM
// block 1", keeping the package prefix first.
func (e *keyError) at(where string) error {
	return fmt.Errorf("%w: %s: %s", e.sentinel, where, e.detail)
}

// notAKey means DER bytes are not a private key in any known encoding.
func notAKey() *keyError {
	return &keyError{ErrInvalidPEM, "the private key cannot be parsed; upload an unencrypted PEM key (PKCS#8 \"PRIVATE KEY\", PKCS#1 \"RSA PRIVATE KEY\" or SEC1 \"EC PRIVATE KEY\")"}
}

// Algorithm identifiers of the PKCS#8 key types Go parses.
var (
	oidRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// pkcs8 is the outer structure of a PKCS#8 PrivateKeyInfo.
type pkcs8 struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
	Rest       asn1.RawContent `asn1:"optional"`
}

// parseKeyDER parses a PKCS#8, PKCS#1 or SEC1 private key, whatever the PEM
// label said (mislabelled blocks are common).
func parseKeyDER(der []byte) (crypto.Signer, *keyError) {
	if kerr := rsaKeyProblem(der); kerr != nil {
		return nil, kerr
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return supportedSigner(k)
	}
	var info pkcs8
	if rest, err := asn1.Unmarshal(der, &info); err == nil && len(rest) == 0 && len(info.Algo.Algorithm) > 0 {
		if a := info.Algo.Algorithm; !a.Equal(oidRSA) && !a.Equal(oidEC) && !a.Equal(oidEd25519) {
			return nil, &keyError{ErrUnsupportedKeyType, fmt.Sprintf("PKCS#8 key with algorithm %s; upload an RSA, ECDSA or Ed25519 key", a)}
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, notAKey()
}

// rsaKeyProblem reads the integers of a PKCS#8 or PKCS#1 RSA private key
// before the key is parsed, since parsing validates the key, which takes
// seconds when the modulus or a prime is huge. It refuses moduli over
// MaxRSABits and values longer than the modulus.
func rsaKeyProblem(der []byte) *keyError {
	var info pkcs8
	if rest, err := asn1.Unmarshal(der, &info); err == nil && len(rest) == 0 && info.Algo.Algorithm.Equal(oidRSA) {
		der = info.PrivateKey
	}
	var k struct {
		Version                     int
		N, E, D, P, Q, Dp, Dq, Qinv asn1.RawValue
	}
	if _, err := asn1.Unmarshal(der, &k); err != nil || k.N.Tag != asn1.TagInteger {
		return nil
	}
	if bits := intBits(k.N.Bytes); bits > MaxRSABits {
		return &keyError{ErrUnsupportedKeyType, fmt.Sprintf("an RSA key of %d bits; TLS clients refuse keys over %d bits, upload a 2048- to 4096-bit RSA or an ECDSA key", bits, MaxRSABits)}
	}
	for _, v := range []asn1.RawValue{k.E, k.D, k.P, k.Q, k.Dp, k.Dq, k.Qinv} {
		if len(v.Bytes) > len(k.N.Bytes)+1 {
			return notAKey()
		}
	}
	return nil
}

// intBits is the size in bits of a big-endian unsigned integer.
func intBits(n []byte) int {
	for len(n) > 0 && n[0] == 0 {
		n = n[1:]
	}
	if len(n) == 0 {
		return 0
	}
	return (len(n)-1)*8 + bits.Len8(n[0])
}

// supportedSigner narrows a parsed key to the types a TLS server can use.
func supportedSigner(k any) (crypto.Signer, *keyError) {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, &keyError{ErrUnsupportedKeyType, fmt.Sprintf("%T; upload an RSA, ECDSA or Ed25519 key", k)}
}

// isEncryptedPKCS8 reports whether der looks like an EncryptedPrivateKeyInfo:
// SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
func isEncryptedPKCS8(der []byte) bool {
	var info struct {
		Algo pkix.AlgorithmIdentifier
		Data []byte
	}
	rest, err := asn1.Unmarshal(der, &info)
	return err == nil && len(rest) == 0 && len(info.Algo.Algorithm) > 0 && len(info.Data) > 0
}

// keyMatches reports whether key is the private half of cert's public key.
func keyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// publicKeyID returns the canonical encoding of a public key, to match
// keys and certificates through a map; "" when it cannot be encoded.
func publicKeyID(pub crypto.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	return string(der)
}
