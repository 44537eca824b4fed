package validate

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// checkChain verifies the leaf up to a trusted root for server
// authentication. The leaf's own validity is reported by checkValidity,
// so an expired or not-yet-valid leaf is verified at a time inside its
// window, to report only the chain's own problems.
func (c *checker) checkChain() {
	pool := x509.NewCertPool()
	for _, in := range c.intermediates {
		if in != nil {
			pool.AddCert(in)
		}
	}
	_, err := c.leaf.Verify(x509.VerifyOptions{
		Roots:         c.opts.Roots,
		Intermediates: pool,
		CurrentTime:   clamp(c.opts.Now, c.leaf.NotBefore, c.leaf.NotAfter),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err == nil {
		return
	}
	msg := chainMessage(err)
	if c.usesSHA1() {
		msg = fmt.Sprintf("the chain cannot be verified because it uses SHA-1 signatures, which clients reject (%v); reissue the certificate with a SHA-256 signature and use your CA's current intermediates", err)
	}
	switch {
	case c.opts.RequireTrustedChain:
		c.fail(ErrIncompleteChain, msg)
	case selfSigned(c.leaf):
		// The self_signed warning already says it will not be trusted.
	default:
		c.warn(WarnIncompleteChain, msg)
	}
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
	var insecure x509.InsecureAlgorithmError
	switch {
	case errors.As(err, &unknown):
		return fmt.Sprintf("the chain does not lead to a trusted root (%v); add the intermediate certificates your CA provided (upload the \"fullchain\" file, leaf first)", err)
	case errors.As(err, &insecure):
		return fmt.Sprintf("the chain cannot be verified (%v); reissue the certificate with a SHA-256 signature", err)
	case errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage:
		return fmt.Sprintf("the chain is not valid for TLS servers (%v); request a certificate with the serverAuth extended key usage", err)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Sprintf("a certificate in the chain is not valid at this time (%v); download your CA's current intermediates", err)
	default:
		return fmt.Sprintf("the chain cannot be verified (%v); upload the full chain your CA provided, leaf first", err)
	}
}

// usesSHA1 reports whether the leaf or an intermediate (roots excluded) has
// a SHA-1 signature.
func (c *checker) usesSHA1() bool {
	if isSHA1(c.leaf.SignatureAlgorithm) {
		return true
	}
	for _, in := range c.intermediates {
		if in != nil && !selfSigned(in) && isSHA1(in.SignatureAlgorithm) {
			return true
		}
	}
	return false
}
