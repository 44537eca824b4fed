package certstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/certs-dev/certs"
)

// LocalCA is a private certificate authority that signs certificates like
// those your users import: the certificate bought from a commercial CA or
// issued by a company's internal CA. Trust it with certs.Config.Roots, as
// you would an internal CA. It is safe for concurrent use.
type LocalCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// NewLocalCA makes a LocalCA with a new ECDSA P-256 key, named
// "certstest Local CA" and valid from an hour ago for ten years.
func NewLocalCA() (*LocalCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("certstest: local CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:   pkix.Name{CommonName: "certstest Local CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true, IsCA: true,
	}
	cert, err := sign(tmpl, nil, key)
	if err != nil {
		return nil, err
	}
	return &LocalCA{cert: cert, key: key}, nil
}

// Roots returns a new pool holding the CA's certificate, for
// certs.Config.Roots or a client's tls.Config.RootCAs.
func (c *LocalCA) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(c.cert)
	return p
}

// Issue signs a server certificate for names (DNS names, wildcards
// allowed; the first is also its common name) with a new ECDSA P-256 key,
// valid from an hour ago until validFor from now, and returns it as a user
// uploads it: the PEM certificate and the PEM (PKCS#8) private key.
func (c *LocalCA) Issue(validFor time.Duration, names ...string) (certs.Input, error) {
	if len(names) == 0 {
		return certs.Input{}, errors.New("certstest: Issue needs at least one name")
	}
	if validFor <= 0 {
		return certs.Input{}, errors.New("certstest: Issue needs a positive validity")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return certs.Input{}, fmt.Errorf("certstest: key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		Subject:  pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(validFor),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	cert, err := sign(tmpl, c, key)
	if err != nil {
		return certs.Input{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return certs.Input{}, fmt.Errorf("certstest: key: %w", err)
	}
	return certs.Input{
		Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		PrivateKey:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
	}, nil
}

// sign signs tmpl for key's public key with a random serial, by parent,
// or by key itself when parent is nil (a root).
func sign(tmpl *x509.Certificate, parent *LocalCA, key *ecdsa.PrivateKey) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("certstest: serial: %w", err)
	}
	tmpl.SerialNumber = serial
	issuer, signer := tmpl, key
	if parent != nil {
		issuer, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("certstest: sign: %w", err)
	}
	return x509.ParseCertificate(der)
}
