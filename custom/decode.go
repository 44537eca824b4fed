package custom

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"strings"
)

// decoded is what one input field held.
type decoded struct {
	certs []*x509.Certificate
	keys  []crypto.Signer
}

// decode reads one input field (named for messages: "certificate",
// "private key", "chain") as PEM, or as DER when it holds no PEM block.
// Empty or blank input decodes to nothing.
func (p *parser) decode(field string, data []byte) (*decoded, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return &decoded{}, nil
	}
	if !bytes.Contains(data, pemBegin) {
		return p.decodeDER(field, data)
	}
	d := &decoded{}
	err := scanPEM(field, data, func(n int, b *pemBlock) error {
		return p.addBlock(d, field, n, b)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// addBlock classifies one PEM block; n counts blocks from 1 for messages.
func (p *parser) addBlock(d *decoded, field string, n int, block *pemBlock) error {
	where := func() string { return fmt.Sprintf("%s: PEM block %d", field, n) }
	switch block.Type {
	case "CERTIFICATE", "X509 CERTIFICATE":
		return p.addCert(d, where(), block.Bytes)
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Headers["DEK-Info"] != "" {
			return encryptedKeyError(field)
		}
		return p.addKey(d, where(), block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return encryptedKeyError(field)
	case "EC PARAMETERS":
		return nil // written by `openssl ecparam -genkey` before the key
	}
	return unsupportedBlock(field, n, block.Type)
}

// unsupportedBlock explains a PEM block that is neither a certificate nor a
// private key.
func unsupportedBlock(field string, n int, typ string) error {
	var fix string
	switch typ {
	case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		fix = "it is a certificate signing request (CSR), not a certificate; upload the certificate your CA issued for it"
	case "PKCS7":
		fix = "it is a PKCS#7 (.p7b) bundle; convert it with `openssl pkcs7 -print_certs -in chain.p7b -out chain.pem` and upload chain.pem"
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		fix = "it is a public key; upload the private key that belongs to the certificate"
	case "TRUSTED CERTIFICATE":
		fix = "it is an OpenSSL trusted certificate; convert it with `openssl x509 -in cert.pem -out cert-plain.pem` and upload cert-plain.pem"
	case "DSA PRIVATE KEY":
		return fmt.Errorf("%w: %s: PEM block %d is a DSA key; only RSA, ECDSA and Ed25519 keys are supported",
			ErrUnsupportedKeyType, field, n)
	case "OPENSSH PRIVATE KEY":
		fix = "it is an OpenSSH key, not a TLS key; upload the PEM private key that was used to create the certificate's CSR"
	case "X509 CRL":
		fix = "it is a certificate revocation list; upload the certificate instead"
	default:
		fix = "only CERTIFICATE and PRIVATE KEY (PKCS#8, PKCS#1 RSA, SEC1 EC) blocks are accepted"
	}
	return fmt.Errorf("%w: %s: PEM block %d has type %s: %s", ErrUnsupportedFormat, field, n, quoteShort(typ), fix)
}

// encryptedKeyError tells the user how to decrypt the key.
func encryptedKeyError(field string) error {
	return fmt.Errorf("%w: %s: the key is protected by a passphrase; decrypt it with `openssl pkey -in key.pem -out key-decrypted.pem` and upload key-decrypted.pem",
		ErrEncryptedKey, field)
}

// decodeDER reads binary input: one or more concatenated DER certificates,
// or a DER private key.
func (p *parser) decodeDER(field string, data []byte) (*decoded, error) {
	if d, ok, err := p.derCertificates(field, data); ok || err != nil {
		return d, err
	}
	if err := p.countKey(field); err != nil {
		return nil, err
	}
	key, kerr := parseKeyDER(data)
	if kerr == nil {
		return &decoded{keys: []crypto.Signer{key}}, nil
	}
	if kerr.sentinel != ErrInvalidPEM {
		return nil, kerr.at(field)
	}
	if isEncryptedPKCS8(data) {
		return nil, encryptedKeyError(field)
	}
	if isPKCS12(data) {
		return nil, fmt.Errorf("%w: %s: this is a PKCS#12 (.pfx/.p12) file; upload it as a PKCS#12 bundle together with its password",
			ErrUnsupportedFormat, field)
	}
	var raw asn1.RawValue
	if rest, err := asn1.Unmarshal(data, &raw); err == nil && len(rest) == 0 {
		return nil, fmt.Errorf("%w: %s: binary (DER) data that is neither a certificate nor a private key; upload the certificate as PEM (-----BEGIN CERTIFICATE-----) or DER",
			ErrUnsupportedFormat, field)
	}
	return nil, fmt.Errorf("%w: %s: neither PEM nor DER; upload the PEM file, starting with a -----BEGIN CERTIFICATE----- or -----BEGIN PRIVATE KEY----- line",
		ErrInvalidPEM, field)
}

// isPKCS12 reports whether data starts like a PFX PDU: SEQUENCE { INTEGER 3,
// SEQUENCE { OID, ... } ... }.
func isPKCS12(data []byte) bool {
	var pfx struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
		}
		Rest asn1.RawContent `asn1:"optional"`
	}
	_, err := asn1.Unmarshal(data, &pfx)
	return err == nil && pfx.Version == 3
}
