package validate

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"strings"
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
// bits (1024 with AllowWeakKeys); it names its host in a subject
// alternative name, allows serverAuth and, like its intermediates, is not
// signed with SHA-1 or MD5 (warnings with AllowLegacy); it chains to
// Options.Roots (or the system roots) for server authentication; plus the
// warnings listed on Warning. Each problem has its own error or warning:
// a chain that does not verify only because of a problem reported
// already is not also reported as incomplete. Messages are at most 1 KiB.
func Certificate(leaf *x509.Certificate, intermediates []*x509.Certificate, key crypto.PrivateKey, opts Options) *Report {
	r := &Report{Warnings: []Warning{}}
	if leaf == nil {
		r.Errors = append(r.Errors, fmt.Errorf("%w: upload the server certificate", ErrNoCertificate))
		return r
	}
	opts = opts.withDefaults()
	r.Facts = FactsOf(leaf)
	c := &checker{leaf: leaf, opts: opts, r: r}
	for _, in := range intermediates {
		if in != nil {
			c.intermediates = append(c.intermediates, in)
		}
	}
	if key != nil && !KeyMatches(leaf, key) {
		c.fail(ErrKeyMismatch, "the private key does not match the certificate's public key; upload the key that was used to create the CSR")
	}
	c.checkValidity()
	c.checkHostname()
	if leaf.IsCA {
		c.fail(ErrNotLeaf, fmt.Sprintf("%s is a CA certificate (basic constraints CA:TRUE); upload the server certificate your CA issued for your domain, first in the chain",
			quoteShort(leaf.Subject.String())))
	}
	c.checkKeyStrength()
	c.checkSANCount()
	c.checkNoSAN()
	if c.checkChainLength() {
		c.checkServerAuth()
		c.checkSignatures()
		c.checkSelfSigned()
		c.checkChain()
	}
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
	if o.MaxChainLength <= 0 {
		o.MaxChainLength = DefaultMaxChainLength
	}
	return o
}

// checker accumulates the findings of one Certificate call.
type checker struct {
	leaf          *x509.Certificate
	intermediates []*x509.Certificate // without nils
	opts          Options
	r             *Report
	self          map[*x509.Certificate]bool // memoized selfSigned
	// Problems reported already, that also make x509 verification fail.
	noServerAuth, weakSignature bool
}

func (c *checker) fail(sentinel error, detail string) {
	c.r.Errors = append(c.r.Errors, fmt.Errorf("%w: %s", sentinel, truncate(detail, maxMessage)))
}

func (c *checker) warn(code, message string) { c.r.AddWarning(code, message) }

// legacy reports what current clients refuse: an error, or a warning
// with AllowLegacy.
func (c *checker) legacy(sentinel error, code, message string) {
	if c.opts.AllowLegacy {
		c.warn(code, message)
		return
	}
	c.fail(sentinel, message)
}

// selfSigned is the package's selfSigned, memoized: it checks a signature.
func (c *checker) selfSigned(cert *x509.Certificate) bool {
	if c.self == nil {
		c.self = map[*x509.Certificate]bool{}
	}
	v, ok := c.self[cert]
	if !ok {
		v = selfSigned(cert)
		c.self[cert] = v
	}
	return v
}

// checkChainLength refuses more certificates than MaxChainLength, and a
// chain naming one subject three times or more (x509 verification tries
// every combination of certificates sharing a name), so that the
// signature checks below are bounded; false when it did.
func (c *checker) checkChainLength() bool {
	if n := 1 + len(c.intermediates); n > c.opts.MaxChainLength {
		c.fail(ErrChainTooLong, fmt.Sprintf("the chain has %d certificates, more than %d; upload only the leaf and the intermediates your CA provided", n, c.opts.MaxChainLength))
		return false
	}
	names := map[string]int{}
	for _, cert := range c.chain() {
		if names[string(cert.RawSubject)]++; names[string(cert.RawSubject)] == 3 {
			c.fail(ErrChainTooLong, fmt.Sprintf("the chain names %s three times or more; a chain holds each CA once, remove the extra certificates", quoteShort(cert.Subject.String())))
			return false
		}
	}
	return true
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
		covered = quoteList(names)
	}
	fix := fmt.Sprintf("request a certificate that includes %s", quoteShort(h))
	if isWildcard(h) {
		fix = fmt.Sprintf("a wildcard hostname needs the SAN %s itself; request a certificate that includes it", quoteShort(h))
	}
	c.fail(ErrHostnameMismatch, fmt.Sprintf("%s is not covered; the certificate covers %s; %s", quoteShort(h), covered, fix))
}

// quoteList quotes at most maxListed names, saying how many more there are.
func quoteList(names []string) string {
	n := min(len(names), maxListed)
	quoted := make([]string, n)
	for i := range quoted {
		quoted[i] = quoteShort(names[i])
	}
	s := "[" + strings.Join(quoted, " ") + "]"
	if len(names) > n {
		s += fmt.Sprintf(" and %d more", len(names)-n)
	}
	return s
}

func (c *checker) checkSANCount() {
	n := len(c.leaf.DNSNames) + len(c.leaf.IPAddresses) + len(c.leaf.EmailAddresses) + len(c.leaf.URIs)
	if n > c.opts.MaxSANs {
		c.warn(WarnTooManySANs, fmt.Sprintf("the certificate lists %d names (more than %d); large certificates slow down every handshake, consider splitting it", n, c.opts.MaxSANs))
	}
}

func (c *checker) checkSelfSigned() {
	if c.selfSigned(c.leaf) {
		c.warn(WarnSelfSigned, "the certificate is self-signed; browsers and most clients will not trust it, use a certificate from a public CA")
	}
	for _, in := range c.intermediates {
		if c.selfSigned(in) {
			c.warn(WarnRootIncluded, fmt.Sprintf("the chain includes the self-signed root %s; remove it, clients use their own copy of the root", quoteShort(in.Subject.String())))
		}
	}
}
