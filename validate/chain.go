package validate

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// checkChain verifies the leaf up to a trusted root for server
// authentication. The leaf's own validity is reported by checkValidity,
// so an expired or not-yet-valid leaf is verified at a time inside its
// window, to report only the chain's own problems. What checkServerAuth
// and checkSignatures reported is left out of the verification, so that
// a chain is only called incomplete when it is.
func (c *checker) checkChain() {
	err := c.verifyChain()
	if err == nil {
		return
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage {
		// An extended key usage outside the upload (a root's).
		c.legacy(ErrNoServerAuth, WarnNoServerAuth, fmt.Sprintf("the chain is not valid for TLS servers (%s); request a certificate for TLS servers (extended key usage serverAuth)", truncate(err.Error(), 2*maxQuoted)))
		return
	}
	msg := chainMessage(err)
	switch {
	case c.opts.RequireTrustedChain:
		c.fail(ErrIncompleteChain, msg)
	case c.selfSigned(c.leaf):
		// The self_signed warning already says it will not be trusted.
	default:
		c.warn(WarnIncompleteChain, msg)
	}
}

// verifyChain verifies the chain, leaf first. Go never verifies SHA-1 or
// MD5 signatures, so the links up to the highest weak signature are
// checked by names, key identifiers and the issuer's CA constraints, and
// only the part above it is verified.
func (c *checker) verifyChain() error {
	chain := c.chain()
	top := -1 // the highest certificate with a weak signature
	if c.weakSignature {
		for i, cert := range chain {
			if isWeak(cert.SignatureAlgorithm) && (i == 0 || !c.selfSigned(cert)) {
				top = i
			}
		}
	}
	for i := 0; i <= top && i+1 < len(chain); i++ {
		if !linked(chain[i], chain[i+1]) {
			return x509.UnknownAuthorityError{Cert: chain[i]}
		}
	}
	if top+1 < len(chain) {
		return c.verify(chain[top+1], chain[top+2:])
	}
	// The top is signed with a weak hash by its issuer: a root is found
	// when x509 names it as the candidate it could not verify.
	err := c.verify(chain[top], nil)
	hint := x509.InsecureAlgorithmError(chain[top].SignatureAlgorithm).Error()
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) && strings.Contains(err.Error(), hint) {
		return nil
	}
	return err
}

// verify runs x509 verification of cert with intermediates.
func (c *checker) verify(cert *x509.Certificate, intermediates []*x509.Certificate) error {
	pool := x509.NewCertPool()
	for _, in := range intermediates {
		pool.AddCert(in)
	}
	usage := x509.ExtKeyUsageServerAuth
	if c.noServerAuth {
		usage = x509.ExtKeyUsageAny
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:         c.opts.Roots,
		Intermediates: pool,
		CurrentTime:   clamp(c.opts.Now, c.leaf.NotBefore, c.leaf.NotAfter),
		KeyUsages:     []x509.ExtKeyUsage{usage},
	})
	return err
}

// linked reports whether parent issued child, accepting a weak signature
// that Go will not check.
func linked(child, parent *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	if len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 && !bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId) {
		return false
	}
	err := child.CheckSignatureFrom(parent)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

// clamp returns t moved into [lo, hi].
func clamp(t, lo, hi time.Time) time.Time {
	if t.Before(lo) {
		return lo
	}
	if t.After(hi) {
		return hi
	}
	return t
}

// chainMessage explains a verification failure and what to do.
func chainMessage(err error) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	detail := truncate(err.Error(), 2*maxQuoted)
	switch {
	case errors.As(err, &unknown):
		return fmt.Sprintf("the chain does not lead to a trusted root (%s); add the intermediate certificates your CA provided (upload the \"fullchain\" file, leaf first)", detail)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Sprintf("a certificate in the chain is not valid at this time (%s); download your CA's current intermediates", detail)
	default:
		return fmt.Sprintf("the chain cannot be verified (%s); upload the full chain your CA provided, leaf first", detail)
	}
}
