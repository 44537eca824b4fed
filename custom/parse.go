package custom

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
)

// Parse decodes an upload and assembles its chain.
//
// It accepts PEM (certificates and unencrypted PKCS#8, PKCS#1 or SEC1 keys,
// in any order, with text between blocks), DER certificates and keys, and
// PKCS#12 bundles. A key in Certificate or Chain is used when PrivateKey is
// empty. Parse does not require the key to match the leaf: it prefers the
// certificate that matches the key as the leaf, and leaves the mismatch to
// validate.Certificate (or (*Bundle).TLSCertificate) to report.
//
// The chain is returned leaf first, then intermediates in signing order;
// see Bundle.Notes for what was reordered or dropped. Errors wrap the Err
// variables of this package and say what to fix; they never contain key
// material or the password.
//
// PKCS#12 files asking for more than 1,000,000 key-derivation iterations
// (2,500,000 in all) are refused with ErrUnsupportedFormat, as a crafted
// file could otherwise occupy a CPU for hours. Parse does not limit the
// input size: cap uploads before calling it (a chain is a few KiB). Parse
// is safe for concurrent use.
func Parse(in Input) (*Bundle, error) {
	certs, keys, err := collect(in)
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		if len(keys) > 0 {
			return nil, fmt.Errorf("%w: only a private key was uploaded; also upload the certificate (-----BEGIN CERTIFICATE-----)", ErrNoCertificate)
		}
		return nil, fmt.Errorf("%w: the upload is empty; upload the certificate (PEM or DER) and its private key, or a PKCS#12 file", ErrNoCertificate)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: upload the private key (-----BEGIN PRIVATE KEY-----) that was used to create the certificate's CSR", ErrNoPrivateKey)
	}
	return assemble(certs, pickKey(keys, certs))
}

// collect decodes every field of the input. Keys from PrivateKey (or the
// PKCS#12 bundle) come before keys embedded in Certificate or Chain, and
// embedded keys are only used when PrivateKey holds none.
func collect(in Input) ([]*x509.Certificate, []crypto.Signer, error) {
	var certs []*x509.Certificate
	var keys []crypto.Signer
	if len(in.PKCS12) > 0 {
		if len(bytes.TrimSpace(in.Certificate)) > 0 || len(bytes.TrimSpace(in.PrivateKey)) > 0 {
			return nil, nil, fmt.Errorf("%w: both a PKCS#12 file and a PEM certificate or key were uploaded; upload either the .pfx/.p12 file or the certificate and key",
				ErrUnsupportedFormat)
		}
		key, pcerts, err := decodePKCS12(in.PKCS12, in.Password)
		if err != nil {
			return nil, nil, err
		}
		certs, keys = pcerts, []crypto.Signer{key}
	}
	keyField, err := decode("private key", in.PrivateKey)
	if err != nil {
		return nil, nil, err
	}
	certField, err := decode("certificate", in.Certificate)
	if err != nil {
		return nil, nil, err
	}
	chainField, err := decode("chain", in.Chain)
	if err != nil {
		return nil, nil, err
	}
	certs = append(certs, certField.certs...)
	certs = append(certs, chainField.certs...)
	certs = append(certs, keyField.certs...) // a combined PEM uploaded as the key
	keys = append(keys, keyField.keys...)
	if len(keys) == 0 {
		keys = append(keys, certField.keys...)
		keys = append(keys, chainField.keys...)
	}
	return certs, keys, nil
}

// pickKey returns the first key that matches one of certs, else the first.
func pickKey(keys []crypto.Signer, certs []*x509.Certificate) crypto.Signer {
	for _, k := range keys {
		for _, c := range certs {
			if keyMatches(c, k) {
				return k
			}
		}
	}
	return keys[0]
}
