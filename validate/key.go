package validate

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
)

// KeyMatches reports whether key is the private key of cert's public key.
// key is any private key with a Public method (*rsa.PrivateKey,
// *ecdsa.PrivateKey, ed25519.PrivateKey, a crypto.Signer); nil or an
// unknown type never matches.
func KeyMatches(cert *x509.Certificate, key crypto.PrivateKey) bool {
	if cert == nil || key == nil {
		return false
	}
	k, ok := key.(interface{ Public() crypto.PublicKey })
	if !ok {
		return false
	}
	pub, ok := k.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

// Minimum RSA sizes.
const (
	minRSABits      = 1024 // below: always an error
	minStrongRSABit = 2048 // below: an error unless AllowWeakKeys
)

func (c *checker) checkKeyStrength() {
	pub, ok := c.leaf.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N == nil {
		return
	}
	bits := pub.N.BitLen()
	switch {
	case bits < minRSABits:
		c.fail(ErrWeakKey, fmt.Sprintf("the RSA key has %d bits, below the minimum of %d; create a new key (RSA 2048+ or ECDSA P-256) and reissue the certificate", bits, minRSABits))
	case bits < minStrongRSABit && c.opts.AllowWeakKeys:
		c.warn(WarnWeakKey, fmt.Sprintf("the RSA key has only %d bits; create a new key (RSA 2048+ or ECDSA P-256) and reissue the certificate", bits))
	case bits < minStrongRSABit:
		c.fail(ErrWeakKey, fmt.Sprintf("the RSA key has %d bits, below the minimum of %d; create a new key (RSA 2048+ or ECDSA P-256) and reissue the certificate", bits, minStrongRSABit))
	}
}
