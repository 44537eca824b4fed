package validate

import (
	"crypto/x509"
	"fmt"
	"strings"
)

// The checks of this file find what every current client refuses; each
// is an error, or a warning with Options.AllowLegacy.

// checkNoSAN: clients match hostnames against DNS and IP subject
// alternative names only, never the common name (Go since 1.15, Chrome
// since 58).
func (c *checker) checkNoSAN() {
	if len(c.leaf.DNSNames) > 0 || len(c.leaf.IPAddresses) > 0 {
		return
	}
	name := "no name at all"
	if cn := c.leaf.Subject.CommonName; cn != "" {
		name = "only the common name " + quoteShort(cn)
	}
	c.legacy(ErrNoSAN, WarnNoSAN, fmt.Sprintf("the certificate has no DNS or IP subject alternative name, %s; Go, Chrome and other current clients ignore the common name and refuse it. Request a certificate that lists the hostname as a DNS subject alternative name", name))
}

// checkServerAuth: a certificate with an extended key usage extension is
// only valid for the usages it lists, in the leaf and in every
// intermediate above it.
func (c *checker) checkServerAuth() {
	for i, cert := range c.chain() {
		if allowsServerAuth(cert) || (i > 0 && c.selfSigned(cert)) {
			continue
		}
		c.noServerAuth = true
		usages := ekuNames(cert)
		if i == 0 {
			c.legacy(ErrNoServerAuth, WarnNoServerAuth, fmt.Sprintf("the certificate's extended key usage is %s, without serverAuth (TLS server authentication), so clients refuse it for a server; request a TLS server certificate", usages))
		} else {
			c.legacy(ErrNoServerAuth, WarnNoServerAuth, fmt.Sprintf("the intermediate %s restricts its extended key usage to %s, without serverAuth, so clients refuse the server certificates it issued; use your CA's intermediate for TLS servers", quoteShort(cert.Subject.String()), usages))
		}
		return
	}
}

// allowsServerAuth is x509's rule: no extended key usage at all, any, or
// serverAuth.
func allowsServerAuth(cert *x509.Certificate) bool {
	if len(cert.ExtKeyUsage) == 0 && len(cert.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range cert.ExtKeyUsage {
		if u == x509.ExtKeyUsageServerAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

var ekuName = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageClientAuth: "clientAuth", x509.ExtKeyUsageCodeSigning: "codeSigning",
	x509.ExtKeyUsageEmailProtection: "emailProtection", x509.ExtKeyUsageTimeStamping: "timeStamping",
	x509.ExtKeyUsageOCSPSigning: "OCSPSigning", x509.ExtKeyUsageIPSECEndSystem: "ipsecEndSystem",
	x509.ExtKeyUsageIPSECTunnel: "ipsecTunnel", x509.ExtKeyUsageIPSECUser: "ipsecUser",
}

// ekuNames lists a certificate's extended key usages for messages.
func ekuNames(cert *x509.Certificate) string {
	var names []string
	for _, u := range cert.ExtKeyUsage {
		if n, ok := ekuName[u]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("usage %d", u))
		}
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return quoteList(names)
}

// checkSignatures: clients refuse SHA-1 and MD5 signatures on leaves and
// intermediates (a root's own signature is not checked).
func (c *checker) checkSignatures() {
	for i, cert := range c.chain() {
		if !isWeak(cert.SignatureAlgorithm) || (i > 0 && c.selfSigned(cert)) {
			continue
		}
		c.weakSignature = true
		if i == 0 {
			c.legacy(ErrWeakSignature, WarnWeakSignature, fmt.Sprintf("the certificate is signed with %s, which clients refuse as insecure; reissue it with a SHA-256 signature", cert.SignatureAlgorithm))
		} else {
			c.legacy(ErrWeakSignature, WarnWeakSignature, fmt.Sprintf("the intermediate %s is signed with %s, which clients refuse as insecure; use your CA's current (SHA-256) intermediate", quoteShort(cert.Subject.String()), cert.SignatureAlgorithm))
		}
	}
}

// isWeak reports SHA-1 and MD5 (and MD2) signature algorithms.
func isWeak(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return strings.Contains(a.String(), "SHA1")
}

// chain returns the leaf and the intermediates.
func (c *checker) chain() []*x509.Certificate {
	return append([]*x509.Certificate{c.leaf}, c.intermediates...)
}
