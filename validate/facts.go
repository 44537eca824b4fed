package validate

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
)

// FactsOf returns the public facts of cert. SANs lists DNS names then IP
// addresses (never nil, so it encodes as []). A nil cert gives zero Facts.
func FactsOf(cert *x509.Certificate) Facts {
	if cert == nil {
		return Facts{SANs: []string{}}
	}
	sum := sha256.Sum256(cert.Raw)
	f := Facts{
		CommonName:         cert.Subject.CommonName,
		SANs:               []string{},
		Issuer:             cert.Issuer.String(),
		NotBefore:          cert.NotBefore,
		NotAfter:           cert.NotAfter,
		SignatureAlgorithm: cert.SignatureAlgorithm.String(),
		FingerprintSHA256:  hex.EncodeToString(sum[:]),
		SelfSigned:         selfSigned(cert),
	}
	if cert.SerialNumber != nil {
		f.Serial = cert.SerialNumber.Text(16)
	}
	f.SANs = append(f.SANs, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		f.SANs = append(f.SANs, ip.String())
	}
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		f.KeyType = "rsa"
		if k.N != nil {
			f.KeyBits = k.N.BitLen()
		}
	case *ecdsa.PublicKey:
		f.KeyType = "ecdsa"
		if k.Curve != nil {
			f.KeyBits = k.Curve.Params().BitSize
		}
	case ed25519.PublicKey:
		f.KeyType = "ed25519"
		f.KeyBits = 256
	}
	return f
}

// selfSigned reports whether cert issued itself: same subject and issuer,
// and its own key verifies its signature (names alone when the signature
// is SHA-1, which Go refuses to verify).
func selfSigned(cert *x509.Certificate) bool {
	if !bytes.Equal(cert.RawSubject, cert.RawIssuer) {
		return false
	}
	if len(cert.AuthorityKeyId) > 0 && len(cert.SubjectKeyId) > 0 && !bytes.Equal(cert.AuthorityKeyId, cert.SubjectKeyId) {
		return false
	}
	err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}
