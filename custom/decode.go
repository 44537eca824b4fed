package custom

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

// pemBegin starts every PEM block.
var pemBegin = []byte("-----BEGIN")

// decoded is what one input field held.
type decoded struct {
	certs []*x509.Certificate
	keys  []crypto.Signer
}

// decode reads one input field (named for messages: "certificate",
// "private key", "chain") as PEM, or as DER when it holds no PEM block.
// Empty or blank input decodes to nothing.
func decode(field string, data []byte) (*decoded, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return &decoded{}, nil
	}
	if !bytes.Contains(data, pemBegin) {
		return decodeDER(field, data)
	}
	if err := checkPEMBlocks(field, data); err != nil {
		return nil, err
	}
	d := &decoded{}
	rest := data
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return d, nil
		}
		if err := d.addBlock(field, n, block); err != nil {
			return nil, err
		}
	}
}

// checkPEMBlocks reports the first "-----BEGIN" line that does not start a
// complete, well-formed block. pem.Decode silently skips such blocks, which
// would hide a truncated certificate in the middle of a chain.
func checkPEMBlocks(field string, data []byte) error {
	n := 0
	for off := 0; ; {
		i := bytes.Index(data[off:], pemBegin)
		if i < 0 {
			return nil
		}
		n++
		start := off + i
		block, rest := pem.Decode(data[start:])
		consumed := data[start : len(data)-len(rest)]
		if block == nil || bytes.Count(consumed, pemBegin) > 1 {
			return fmt.Errorf("%w: %s: PEM block %d (%s) is truncated or corrupt (missing -----END line or invalid base64); paste the whole file, including the -----BEGIN and -----END lines",
				ErrInvalidPEM, field, n, beginLabel(data[start:]))
		}
		off = start + len(pemBegin)
	}
}

// beginLabel returns the quoted type of the BEGIN line at the start of b,
// shortened so that odd input cannot flood a message.
func beginLabel(b []byte) string {
	line := b
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	line = bytes.TrimPrefix(line, []byte("-----BEGIN "))
	line = bytes.TrimSuffix(line, []byte("-----"))
	return quoteShort(string(line))
}

// quoteShort quotes s, cut to 100 bytes.
func quoteShort(s string) string {
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// addBlock classifies one PEM block; n counts blocks from 1 for messages.
func (d *decoded) addBlock(field string, n int, block *pem.Block) error {
	switch block.Type {
	case "CERTIFICATE", "X509 CERTIFICATE":
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return fmt.Errorf("%w: %s: PEM block %d is not a valid certificate (%v); upload the certificate exactly as your CA issued it",
				ErrInvalidPEM, field, n, err)
		}
		d.certs = append(d.certs, cert)
		return nil
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
		if block.Headers["Proc-Type"] == "4,ENCRYPTED" || block.Headers["DEK-Info"] != "" {
			return encryptedKeyError(field)
		}
		key, kerr := parseKeyDER(block.Bytes)
		if kerr != nil {
			return kerr.at(fmt.Sprintf("%s: PEM block %d", field, n))
		}
		d.keys = append(d.keys, key)
		return nil
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
func decodeDER(field string, data []byte) (*decoded, error) {
	if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 0 {
		return &decoded{certs: certs}, nil
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
