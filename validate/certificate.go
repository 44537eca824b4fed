package validate

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"time"
)

// Certificate inspects a leaf, its intermediates (leaf's issuer first) and,
// when key is not nil, the private key, and reports every problem found:
// errors that must block serving (wrapping the Err variables) and warnings
// that should be shown. It never stores or modifies anything and is safe
// for concurrent use.
//
// Checks: the key matches the leaf; the leaf is valid at Options.Now; it
// covers Options.Hostname; it is not a CA; its RSA key is at least 2048
// bits (1024 with AllowWeakKeys); it chains to Options.Roots (or the system
// roots) for server authentication; plus the warnings listed on Warning.
func Certificate(leaf *x509.Certificate, intermediates []*x509.Certificate, key crypto.PrivateKey, opts Options) *Report {
	r := &Report{Warnings: []Warning{}}
	if leaf == nil {
		r.Errors = append(r.Errors, fmt.Errorf("%w: upload the server certificate", ErrNoCertificate))
		return r
	}
	opts = opts.withDefaults()
	r.Facts = FactsOf(leaf)
	c := &checker{leaf: leaf, intermediates: intermediates, opts: opts, r: r}
	if key != nil && !KeyMatches(leaf, key) {
		c.fail(ErrKeyMismatch, "the private key does not match the certificate's public key; upload the key that was used to create the CSR")
	}
	c.checkValidity()
	c.checkHostname()
	if leaf.IsCA {
		c.fail(ErrNotLeaf, fmt.Sprintf("%q is a CA certificate (basic constraints CA:TRUE); upload the server certificate your CA issued for your domain, first in the chain",
			leaf.Subject.String()))
	}
	c.checkKeyStrength()
	c.checkSignatures()
	c.checkSelfSigned()
	c.checkSANCount()
	c.checkChain()
	r.Valid = len(r.Errors) == 0
	return r
}

// withDefaults fills the zero values.
func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.ExpiringWithin <= 0 {
		o.ExpiringWithin = DefaultExpiringWithin
	}
	if o.MaxSANs <= 0 {
		o.MaxSANs = DefaultMaxSANs
	}
	return o
}

// checker accumulates the findings of one Certificate call.
type checker struct {
	leaf          *x509.Certificate
	intermediates []*x509.Certificate
	opts          Options
	r             *Report
}

func (c *checker) fail(sentinel error, detail string) {
	c.r.Errors = append(c.r.Errors, fmt.Errorf("%w: %s", sentinel, detail))
}

func (c *checker) warn(code, message string) {
	c.r.Warnings = append(c.r.Warnings, Warning{Code: code, Message: message})
}

// day formats a time for messages.
func day(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (c *checker) checkValidity() {
	now, nb, na := c.opts.Now, c.leaf.NotBefore, c.leaf.NotAfter
	switch {
	case now.After(na):
		c.fail(ErrExpired, fmt.Sprintf("it expired on %s (checked at %s); renew it with your CA and upload the new certificate", day(na), day(now)))
	case now.Before(nb):
		c.fail(ErrNotYetValid, fmt.Sprintf("it is valid only from %s (checked at %s); check this server's clock, wait until then, or upload a certificate that is valid now", day(nb), day(now)))
	case na.Sub(now) < c.opts.ExpiringWithin:
		days := int(na.Sub(now).Hours() / 24)
		c.warn(WarnExpiringSoon, fmt.Sprintf("the certificate expires on %s (in %d days); renew it soon and upload the new certificate", day(na), days))
	}
}

func (c *checker) checkHostname() {
	h := c.opts.Hostname
	if h == "" || MatchHostname(c.leaf, h) {
		return
	}
	names := CoveredNames(c.leaf)
	covered := "no names"
	if len(names) > 0 {
		covered = fmt.Sprintf("%q", names)
	}
	fix := fmt.Sprintf("request a certificate that includes %q", h)
	if isWildcard(h) {
		fix = fmt.Sprintf("a wildcard hostname needs the SAN %q itself; request a certificate that includes it", h)
	}
	c.fail(ErrHostnameMismatch, fmt.Sprintf("%q is not covered; the certificate covers %s; %s", h, covered, fix))
}

func (c *checker) checkSANCount() {
	n := len(c.leaf.DNSNames) + len(c.leaf.IPAddresses) + len(c.leaf.EmailAddresses) + len(c.leaf.URIs)
	if n > c.opts.MaxSANs {
		c.warn(WarnTooManySANs, fmt.Sprintf("the certificate lists %d names (more than %d); large certificates slow down every handshake, consider splitting it", n, c.opts.MaxSANs))
	}
}

func (c *checker) checkSelfSigned() {
	if selfSigned(c.leaf) {
		c.warn(WarnSelfSigned, "the certificate is self-signed; browsers and most clients will not trust it, use a certificate from a public CA")
	}
	for _, in := range c.intermediates {
		if in != nil && selfSigned(in) {
			c.warn(WarnRootIncluded, fmt.Sprintf("the chain includes the self-signed root %q; remove it, clients use their own copy of the root", in.Subject.String()))
		}
	}
}

func (c *checker) checkSignatures() {
	if isSHA1(c.leaf.SignatureAlgorithm) {
		c.warn(WarnSHA1Signature, fmt.Sprintf("the certificate is signed with %s, which clients reject as insecure; reissue it with a SHA-256 signature", c.leaf.SignatureAlgorithm))
	}
	for _, in := range c.intermediates {
		if in != nil && !selfSigned(in) && isSHA1(in.SignatureAlgorithm) {
			c.warn(WarnSHA1Signature, fmt.Sprintf("the intermediate %q is signed with %s, which clients reject as insecure; use your CA's current (SHA-256) intermediate", in.Subject.String(), in.SignatureAlgorithm))
		}
	}
}

func isSHA1(a x509.SignatureAlgorithm) bool {
	return a == x509.SHA1WithRSA || a == x509.ECDSAWithSHA1 || a == x509.DSAWithSHA1
}
