package testpki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"
)

// CAOptions tune NewCA and (*CA).Intermediate. The zero value makes an
// ECDSA P-256 CA valid from an hour ago for ten years, with a unique name.
type CAOptions struct {
	// CommonName of the CA; empty means "testpki Root CA <random>" or
	// "testpki Intermediate CA <random>".
	CommonName string
	// KeyType of the CA key (RSA512 is refused: Go cannot sign with it).
	KeyType KeyType
	// Key overrides KeyType.
	Key crypto.Signer
	// NotBefore and NotAfter bound validity; zero means now-Backdate and
	// now+CALifetime.
	NotBefore, NotAfter time.Time
	// SignatureAlgorithm used by the issuer to sign this certificate; zero
	// picks Go's default for the issuer's key.
	SignatureAlgorithm x509.SignatureAlgorithm
}

// CA is a certificate authority: a self-signed root or an intermediate.
// It is safe for concurrent use.
type CA struct {
	// Cert is the CA certificate.
	Cert *x509.Certificate
	// Key is the CA's private key.
	Key crypto.Signer

	parent *CA
	keys   *keyCounter // shared by the whole hierarchy
}

// NewCA returns a self-signed root CA. At most one CAOptions is used.
func NewCA(tb testing.TB, opts ...CAOptions) *CA {
	tb.Helper()
	o := firstCA(opts)
	ca := &CA{keys: &keyCounter{}}
	if o.CommonName == "" {
		o.CommonName = "testpki Root CA " + randomSuffix(tb)
	}
	key := ca.key(tb, o.Key, o.KeyType)
	tmpl := caTemplate(tb, o)
	ca.Cert = sign(tb, tmpl, tmpl, key.Public(), key)
	ca.Key = key
	return ca
}

// Intermediate returns a CA signed by ca. At most one CAOptions is used.
func (ca *CA) Intermediate(tb testing.TB, opts ...CAOptions) *CA {
	tb.Helper()
	o := firstCA(opts)
	sub := &CA{parent: ca, keys: ca.keys}
	if o.CommonName == "" {
		o.CommonName = "testpki Intermediate CA " + randomSuffix(tb)
	}
	key := sub.key(tb, o.Key, o.KeyType)
	sub.Cert = sign(tb, caTemplate(tb, o), ca.Cert, key.Public(), ca.Key)
	sub.Key = key
	return sub
}

// NewKey returns a key of type kt; RSA keys are handed out round-robin from
// the pool so that consecutive calls within the hierarchy differ.
func (ca *CA) NewKey(tb testing.TB, kt KeyType) crypto.Signer {
	tb.Helper()
	return ca.key(tb, nil, kt)
}

func (ca *CA) key(tb testing.TB, key crypto.Signer, kt KeyType) crypto.Signer {
	tb.Helper()
	if key != nil {
		return key
	}
	return newKey(tb, kt, ca.keys.take(kt))
}

// Root returns the self-signed root of ca's hierarchy.
func (ca *CA) Root() *CA {
	for ca.parent != nil {
		ca = ca.parent
	}
	return ca
}

// Chain returns the intermediates from ca up to but excluding the root,
// ca first. It is empty for a root.
func (ca *CA) Chain() []*x509.Certificate {
	var out []*x509.Certificate
	for c := ca; c.parent != nil; c = c.parent {
		out = append(out, c.Cert)
	}
	return out
}

// Pool returns a pool holding only the root of ca's hierarchy, for
// x509.VerifyOptions.Roots.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Root().Cert)
	return p
}

// CertPEM returns ca's certificate as PEM.
func (ca *CA) CertPEM() []byte { return CertsPEM(ca.Cert) }

func firstCA(opts []CAOptions) CAOptions {
	if len(opts) > 0 {
		return opts[0]
	}
	return CAOptions{}
}

func caTemplate(tb testing.TB, o CAOptions) *x509.Certificate {
	tb.Helper()
	nb, na := window(o.NotBefore, o.NotAfter, CALifetime)
	return &x509.Certificate{
		SerialNumber:          randomSerial(tb),
		Subject:               pkix.Name{CommonName: o.CommonName, Organization: []string{"testpki"}},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		SignatureAlgorithm:    o.SignatureAlgorithm,
	}
}

// sign creates and parses a certificate.
func sign(tb testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	tb.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		tb.Fatalf("testpki: create certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatalf("testpki: parse certificate %q: %v", tmpl.Subject.CommonName, err)
	}
	return cert
}
