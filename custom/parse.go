package custom

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
)

// Parse is ParseContext with a background context and the default
// Limits.
func Parse(in Input) (*Bundle, error) {
	return ParseContext(context.Background(), in, Limits{})
}

// ParseContext decodes an upload and assembles its chain.
//
// It accepts PEM (certificates and unencrypted PKCS#8, PKCS#1 or SEC1 keys,
// in any order, with text between blocks, a byte-order mark, CRLF line
// ends or indentation), DER certificates and keys, and PKCS#12 bundles. A
// key in Certificate or Chain is used when PrivateKey is empty. Parse does
// not require the key to match the leaf: it prefers the certificate that
// matches the key as the leaf, and leaves the mismatch to
// validate.Certificate (or (*Bundle).TLSCertificate) to report.
//
// The chain is returned leaf first, then intermediates in signing order;
// see Bundle.Notes for what was reordered or dropped. Errors wrap the Err
// variables of this package and say what to fix; they never contain key
// material or the password, and are at most 1 KiB long.
//
// The work is bounded by lim (zero fields take the defaults): the input
// size is checked before anything is parsed, then the number of
// certificates and keys, the chain length, the key derivations of a
// PKCS#12 file and the signature checks of chain assembly. ParseContext
// returns early with the context's error when ctx is done; it checks it
// between blocks, key derivations and signature checks. It is safe for
// concurrent use.
func ParseContext(ctx context.Context, in Input, lim Limits) (*Bundle, error) {
	b, err := parse(ctx, in, lim.withDefaults())
	return b, bound(err)
}

func parse(ctx context.Context, in Input, lim Limits) (*Bundle, error) {
	if err := lim.checkSize(in); err != nil {
		return nil, err
	}
	p := &parser{ctx: ctx, lim: lim}
	if err := p.alive(); err != nil {
		return nil, err
	}
	certs, keys, err := p.collect(in)
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
	return p.assemble(certs, keys)
}

// collect decodes every field of the input. Keys from PrivateKey (or the
// PKCS#12 bundle) come before keys embedded in Certificate or Chain, and
// embedded keys are only used when PrivateKey holds none.
func (p *parser) collect(in Input) ([]*x509.Certificate, []crypto.Signer, error) {
	var certs []*x509.Certificate
	var keys []crypto.Signer
	if len(in.PKCS12) > 0 {
		if len(bytes.TrimSpace(in.Certificate)) > 0 || len(bytes.TrimSpace(in.PrivateKey)) > 0 {
			return nil, nil, fmt.Errorf("%w: both a PKCS#12 file and a PEM certificate or key were uploaded; upload either the .pfx/.p12 file or the certificate and key",
				ErrUnsupportedFormat)
		}
		d, err := p.decodePKCS12(in.PKCS12, in.Password)
		if err != nil {
			return nil, nil, err
		}
		certs, keys = d.certs, d.keys
	}
	keyField, err := p.decode("private key", in.PrivateKey)
	if err != nil {
		return nil, nil, err
	}
	certField, err := p.decode("certificate", in.Certificate)
	if err != nil {
		return nil, nil, err
	}
	chainField, err := p.decode("chain", in.Chain)
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
