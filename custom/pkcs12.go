package custom

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// decodePKCS12 opens a .pfx/.p12 bundle: legacy (RC2/3DES) and modern
// (PBES2 with AES-256, OpenSSL 3's default) encryption are both read.
func decodePKCS12(data []byte, password string) (crypto.Signer, []*x509.Certificate, error) {
	if bytes.Contains(data, pemBegin) {
		return nil, nil, fmt.Errorf("%w: pkcs12: the PKCS#12 upload holds PEM text; upload PEM files as the certificate and private key instead",
			ErrUnsupportedFormat)
	}
	if err := checkPKCS12Iterations(data); err != nil {
		return nil, nil, err
	}
	k, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, nil, pkcs12Error(err, password)
	}
	key, kerr := supportedSigner(k)
	if kerr != nil {
		return nil, nil, kerr.at("pkcs12")
	}
	return key, append([]*x509.Certificate{leaf}, cas...), nil
}

// pkcs12Error maps go-pkcs12's errors onto ours. Its "missing" errors are
// not exported, so they are recognized by their text.
func pkcs12Error(err error, password string) error {
	var notImpl pkcs12.NotImplementedError
	msg := err.Error()
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword), errors.Is(err, pkcs12.ErrDecryption):
		if password == "" {
			return fmt.Errorf("%w: the PKCS#12 file is protected by a password; enter the password that was set when it was exported", ErrBadPassword)
		}
		return fmt.Errorf("%w: the password does not open this PKCS#12 file; enter the password that was set when it was exported", ErrBadPassword)
	case strings.Contains(msg, "certificate missing"):
		return fmt.Errorf("%w: the PKCS#12 file holds no certificate; export it again including the certificate", ErrNoCertificate)
	case strings.Contains(msg, "private key missing"):
		return fmt.Errorf("%w: the PKCS#12 file holds no private key; export it again including the private key", ErrNoPrivateKey)
	case strings.Contains(msg, "exactly one key bag"):
		return fmt.Errorf("%w: the PKCS#12 file holds more than one private key; export only the certificate's own key", ErrUnsupportedFormat)
	case errors.As(err, &notImpl):
		return fmt.Errorf("%w: the PKCS#12 file uses a feature that cannot be read (%v); convert it with `openssl pkcs12 -in in.pfx -nodes -out all.pem` and upload the PEM certificate and key",
			ErrUnsupportedFormat, err)
	}
	return fmt.Errorf("%w: not a valid PKCS#12 (.pfx/.p12) file (%v); upload the file exactly as exported, or the PEM certificate and key instead",
		ErrUnsupportedFormat, err)
}
