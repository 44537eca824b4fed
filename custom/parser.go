package custom

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
)

// parser is the state of one ParseContext call: its context, its limits
// and what has been counted against them.
type parser struct {
	ctx   context.Context
	lim   Limits // with defaults
	certs int    // certificates seen, duplicates included
	keys  int    // private keys seen
	// kdfWork is the PKCS#12 key-derivation work done (iteration units,
	// see Limits.MaxPKCS12Iterations).
	kdfWork int
}

// alive reports the context's end as an error.
func (p *parser) alive() error {
	if err := p.ctx.Err(); err != nil {
		return fmt.Errorf("custom: parsing stopped: %w", err)
	}
	return nil
}

// countCert counts one more certificate, before it is parsed.
func (p *parser) countCert(where string) error {
	if err := p.alive(); err != nil {
		return err
	}
	if p.certs++; p.certs > p.lim.MaxCertificates {
		return fmt.Errorf("%w: %s: the upload holds more than %d certificates; upload only the certificate and the intermediates your CA provided",
			ErrTooManyCertificates, where, p.lim.MaxCertificates)
	}
	return nil
}

// countKey counts one more private key, before it is parsed.
func (p *parser) countKey(where string) error {
	if err := p.alive(); err != nil {
		return err
	}
	if p.keys++; p.keys > p.lim.MaxKeys {
		return fmt.Errorf("%w: %s: the upload holds more than %d private keys; upload only the key of the certificate",
			ErrTooManyKeys, where, p.lim.MaxKeys)
	}
	return nil
}

// addCert parses one DER certificate into d.
func (p *parser) addCert(d *decoded, where string, der []byte) error {
	if err := p.countCert(where); err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("%w: %s is not a valid certificate (%s); upload the certificate exactly as your CA issued it",
			ErrInvalidPEM, where, shortErr(err))
	}
	if err := checkCertKey(where, cert); err != nil {
		return err
	}
	d.certs = append(d.certs, cert)
	return nil
}

// checkCertKey refuses certificates whose RSA key is over MaxRSABits.
func checkCertKey(where string, cert *x509.Certificate) error {
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok && pub.N.BitLen() > MaxRSABits {
		return fmt.Errorf("%w: %s: the certificate %s has an RSA key of %d bits; TLS clients refuse keys over %d bits, use a certificate with a 2048- to 4096-bit RSA or an ECDSA key",
			ErrUnsupportedKeyType, where, quoteShort(cert.Subject.String()), pub.N.BitLen(), MaxRSABits)
	}
	return nil
}

// addKey counts and parses one DER private key into d.
func (p *parser) addKey(d *decoded, where string, der []byte) error {
	if err := p.countKey(where); err != nil {
		return err
	}
	return keyInto(d, where, der)
}

// keyInto parses one DER private key, already counted, into d.
func keyInto(d *decoded, where string, der []byte) error {
	key, kerr := parseKeyDER(der)
	if kerr != nil {
		return kerr.at(where)
	}
	d.keys = append(d.keys, key)
	return nil
}

// derCertificates reads data as concatenated DER certificates. ok is
// false, with no error, when data is something else.
func (p *parser) derCertificates(field string, data []byte) (d *decoded, ok bool, err error) {
	d = &decoded{}
	for rest, n := data, 1; len(rest) > 0; n++ {
		var raw asn1.RawValue
		next, err := asn1.Unmarshal(rest, &raw)
		if err != nil {
			return nil, false, nil
		}
		cert, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, false, nil
		}
		where := fmt.Sprintf("%s: DER certificate %d", field, n)
		if err := p.countCert(where); err != nil {
			return nil, false, err
		}
		if err := checkCertKey(where, cert); err != nil {
			return nil, false, err
		}
		d.certs, rest = append(d.certs, cert), next
	}
	return d, true, nil
}
