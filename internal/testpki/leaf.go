package testpki

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"
	"testing"
	"time"
)

// LeafOptions tune (*CA).Leaf. The zero value makes an ECDSA P-256 server
// certificate valid from an hour ago for 90 days, with names as SANs and the
// first name as CN.
type LeafOptions struct {
	// KeyType of the leaf key; zero is ECDSAP256.
	KeyType KeyType
	// Key overrides KeyType.
	Key crypto.Signer
	// NotBefore and NotAfter bound validity; zero means now-Backdate and
	// now+LeafLifetime.
	NotBefore, NotAfter time.Time
	// SignatureAlgorithm used by the CA, e.g. x509.SHA1WithRSA (the CA must
	// have an RSA key) or x509.ECDSAWithSHA1; zero picks Go's default.
	SignatureAlgorithm x509.SignatureAlgorithm
	// CommonName; empty means the first name, if any.
	CommonName string
	// OmitSANs leaves the SAN extension out, so only CommonName names the
	// host (legacy certificates).
	OmitSANs bool
	// IsCA marks the certificate as a CA (to test CA-as-leaf rejection).
	IsCA bool
	// ExtKeyUsage; nil means server authentication.
	ExtKeyUsage []x509.ExtKeyUsage
	// OCSPServer are the OCSP responder URLs of the Authority Information
	// Access extension.
	OCSPServer []string
	// MustStaple adds the TLS Feature extension asking for status_request
	// (RFC 7633, "OCSP Must-Staple").
	MustStaple bool
}

// oidTLSFeature is the TLS Feature extension (RFC 7633); mustStapleValue
// is its value for status_request: SEQUENCE { INTEGER 5 }.
var (
	oidTLSFeature   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 24}
	mustStapleValue = []byte{0x30, 0x03, 0x02, 0x01, 0x05}
)

// Leaf is an end-entity certificate with its key and issuing hierarchy.
type Leaf struct {
	// Cert is the leaf certificate.
	Cert *x509.Certificate
	// Key is the leaf's private key.
	Key crypto.Signer
	// Chain holds the intermediates, issuer first, excluding the root.
	Chain []*x509.Certificate
	// Root is the self-signed root of the hierarchy.
	Root *x509.Certificate
}

// Leaf issues an end-entity certificate for names (DNS names, or IP
// addresses when they parse as such) signed by ca.
func (ca *CA) Leaf(tb testing.TB, names []string, opts LeafOptions) *Leaf {
	tb.Helper()
	key := ca.key(tb, opts.Key, opts.KeyType)
	return &Leaf{
		Cert:  sign(tb, leafTemplate(tb, names, opts), ca.Cert, key.Public(), ca.Key),
		Key:   key,
		Chain: ca.Chain(),
		Root:  ca.Root().Cert,
	}
}

// SelfSigned returns a self-signed end-entity certificate (not a CA unless
// opts.IsCA) for names. Its Root is the certificate itself and its Chain is
// empty. RSA512 keys cannot sign, so they are refused.
func SelfSigned(tb testing.TB, names []string, opts LeafOptions) *Leaf {
	tb.Helper()
	key := opts.Key
	if key == nil {
		key = NewKey(tb, opts.KeyType)
	}
	tmpl := leafTemplate(tb, names, opts)
	cert := sign(tb, tmpl, tmpl, key.Public(), key)
	return &Leaf{Cert: cert, Key: key, Root: cert}
}

// leafTemplate builds the template of an end-entity certificate.
func leafTemplate(tb testing.TB, names []string, opts LeafOptions) *x509.Certificate {
	tb.Helper()
	nb, na := window(opts.NotBefore, opts.NotAfter, LeafLifetime)
	cn := opts.CommonName
	if cn == "" && len(names) > 0 {
		cn = names[0]
	}
	eku := opts.ExtKeyUsage
	if eku == nil {
		eku = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(tb),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           eku,
		BasicConstraintsValid: true,
		IsCA:                  opts.IsCA,
		SignatureAlgorithm:    opts.SignatureAlgorithm,
		OCSPServer:            opts.OCSPServer,
	}
	if opts.MustStaple {
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidTLSFeature, Value: mustStapleValue})
	}
	if opts.IsCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if !opts.OmitSANs {
		for _, n := range names {
			if ip := net.ParseIP(n); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, n)
			}
		}
	}
	return tmpl
}

// CertPEM returns the leaf certificate alone as PEM.
func (l *Leaf) CertPEM() []byte { return CertsPEM(l.Cert) }

// ChainPEM returns the leaf followed by its intermediates (excluding the
// root) as PEM: a "fullchain.pem".
func (l *Leaf) ChainPEM() []byte {
	return CertsPEM(append([]*x509.Certificate{l.Cert}, l.Chain...)...)
}

// IntermediatesPEM returns only the intermediates (excluding the root).
func (l *Leaf) IntermediatesPEM() []byte { return CertsPEM(l.Chain...) }

// KeyPEM returns the key as a PKCS#8 "PRIVATE KEY" PEM block. It panics if
// the key cannot be marshalled, which cannot happen for keys made here.
func (l *Leaf) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(l.Key)
	if err != nil {
		panic("testpki: marshal PKCS#8: " + err.Error())
	}
	return pemBlock("PRIVATE KEY", der)
}

// TLSCertificate returns the leaf, its intermediates and key as a
// tls.Certificate with Leaf set.
func (l *Leaf) TLSCertificate() tls.Certificate {
	chain := [][]byte{l.Cert.Raw}
	for _, c := range l.Chain {
		chain = append(chain, c.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: l.Key, Leaf: l.Cert}
}

// Intermediates returns a pool of the intermediates, for
// x509.VerifyOptions.Intermediates.
func (l *Leaf) Intermediates() *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range l.Chain {
		p.AddCert(c)
	}
	return p
}
