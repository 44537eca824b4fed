package validate_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/certs-dev/certs/validate"
)

// load reads the first PEM block of a testdata file.
func load(name string) []byte {
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	block, _ := pem.Decode(data)
	return block.Bytes
}

func loadCert(name string) *x509.Certificate {
	c, err := x509.ParseCertificate(load(name))
	if err != nil {
		panic(err)
	}
	return c
}

// Validate a leaf, its intermediate and key for a hostname, trusting a
// private root.
func ExampleCertificate() {
	leaf, inter, root := loadCert("leaf.pem"), loadCert("intermediate.pem"), loadCert("root.pem")
	key, _ := x509.ParsePKCS8PrivateKey(load("leaf.key"))
	roots := x509.NewCertPool()
	roots.AddCert(root)

	r := validate.Certificate(leaf, []*x509.Certificate{inter}, key, validate.Options{
		Hostname: "www.example.com",
		Roots:    roots,
	})
	fmt.Println(r.Valid, len(r.Warnings))
	fmt.Println(r.Facts.CommonName, r.Facts.SANs, r.Facts.KeyType, r.Facts.KeyBits)
	// Output:
	// true 0
	// example.com [example.com www.example.com] rsa 2048
}

// Problems come back as typed errors and warnings.
func ExampleCertificate_problems() {
	leaf := loadCert("leaf.pem")
	r := validate.Certificate(leaf, nil, nil, validate.Options{
		Hostname: "shop.example.com",
		Now:      leaf.NotAfter.Add(24 * time.Hour),
	})
	fmt.Println(r.Valid)
	fmt.Println(errors.Is(r.Err(), validate.ErrExpired), errors.Is(r.Err(), validate.ErrHostnameMismatch))
	for _, w := range r.Warnings {
		fmt.Println(w.Code)
	}
	// Output:
	// false
	// true true
	// incomplete_chain
}

func ExampleMatchHostname() {
	leaf := loadCert("leaf.pem") // example.com, www.example.com
	for _, h := range []string{"example.com", "WWW.example.com", "api.example.com", "*.example.com"} {
		fmt.Println(h, validate.MatchHostname(leaf, h))
	}
	// Output:
	// example.com true
	// WWW.example.com true
	// api.example.com false
	// *.example.com false
}

// Certificates that every current client refuses are errors; closed
// environments with old clients can accept them with a warning.
func ExampleCertificate_allowLegacy() {
	leaf, inter, root := loadCert("legacy-leaf-sha1.pem"), loadCert("legacy-intermediate.pem"), loadCert("legacy-root.pem")
	roots := x509.NewCertPool()
	roots.AddCert(root)
	opts := validate.Options{Roots: roots, Hostname: "legacy.example.com"}

	r := validate.Certificate(leaf, []*x509.Certificate{inter}, nil, opts)
	fmt.Println(r.Valid, errors.Is(r.Err(), validate.ErrWeakSignature))

	opts.AllowLegacy = true
	r = validate.Certificate(leaf, []*x509.Certificate{inter}, nil, opts)
	fmt.Println(r.Valid, r.Warnings[0].Code)
	// Output:
	// false true
	// true weak_signature
}
