package acme

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
)

// parseChain parses the CERTIFICATE blocks of a PEM chain.
func parseChain(chainPEM []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := chainPEM
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("acme: parse certificate: %w", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("acme: no CERTIFICATE PEM block in the chain")
	}
	return out, nil
}

// checkIssued verifies that the CA's chain starts with a certificate for key.
func checkIssued(chainPEM []byte, key crypto.Signer) error {
	l, err := leaf(chainPEM)
	if err != nil {
		return err
	}
	want, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !want.Equal(l.PublicKey) {
		return fmt.Errorf("acme: the CA returned a certificate for another key")
	}
	return nil
}
