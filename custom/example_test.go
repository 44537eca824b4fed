package custom_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/certs-dev/certs/custom"
)

// Parse a full chain uploaded in the wrong order, with its root, and a
// PKCS#1 key.
func ExampleParse() {
	chain, _ := os.ReadFile("testdata/fullchain-wrong-order.pem")
	key, _ := os.ReadFile("testdata/leaf-pkcs1.key")
	b, err := custom.Parse(custom.Input{Certificate: chain, PrivateKey: key})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("leaf:", b.Leaf.Subject.CommonName, b.Leaf.DNSNames)
	for _, c := range b.Intermediates {
		fmt.Println("intermediate:", c.Subject.CommonName)
	}
	for _, n := range b.Notes {
		fmt.Println("note:", n.Code)
	}
	// Output:
	// leaf: example.com [example.com www.example.com]
	// intermediate: Certs Test Intermediate CA
	// note: root_dropped
	// note: chain_reordered
}

// Parse a PKCS#12 (.pfx) file; a wrong password is ErrBadPassword.
func ExampleParse_pkcs12() {
	pfx, _ := os.ReadFile("testdata/leaf.pfx")
	_, err := custom.Parse(custom.Input{PKCS12: pfx, Password: "wrong"})
	fmt.Println(errors.Is(err, custom.ErrBadPassword))

	b, err := custom.Parse(custom.Input{PKCS12: pfx, Password: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Leaf.Subject.CommonName, len(b.Intermediates))
	// Output:
	// true
	// example.com 1
}

// An encrypted key is refused with instructions.
func ExampleParse_encryptedKey() {
	chain, _ := os.ReadFile("testdata/fullchain.pem")
	key, _ := os.ReadFile("testdata/leaf-encrypted-pkcs8.key")
	_, err := custom.Parse(custom.Input{Certificate: chain, PrivateKey: key})
	fmt.Println(errors.Is(err, custom.ErrEncryptedKey))
	fmt.Println(err)
	// Output:
	// true
	// custom: private key is encrypted: private key: the key is protected by a passphrase; decrypt it with `openssl pkey -in key.pem -out key-decrypted.pem` and upload key-decrypted.pem
}

// A bundle serves directly with crypto/tls.
func ExampleBundle_TLSCertificate() {
	pfx, _ := os.ReadFile("testdata/leaf.pfx")
	b, err := custom.Parse(custom.Input{PKCS12: pfx, Password: "secret"})
	if err != nil {
		fmt.Println(err)
		return
	}
	cert, err := b.TLSCertificate()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(cert.Certificate), cert.Leaf.Subject.CommonName)
	// Output: 2 example.com
}

// Bound the work an upload may cost: limits are checked before and while
// parsing, and the context can stop it.
func ExampleParseContext() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := custom.ParseContext(ctx, custom.Input{Certificate: make([]byte, 2<<20)}, custom.Limits{})
	fmt.Println(errors.Is(err, custom.ErrInputTooLarge))

	chain, _ := os.ReadFile("testdata/fullchain.pem")
	key, _ := os.ReadFile("testdata/leaf.key")
	_, err = custom.ParseContext(ctx, custom.Input{Certificate: chain, PrivateKey: key}, custom.Limits{MaxChainLength: 1})
	fmt.Println(errors.Is(err, custom.ErrChainTooLong))
	// Output:
	// true
	// true
}

// PEM pasted from a YAML file, indented, is read like any other.
func ExampleParse_indented() {
	yaml, _ := os.ReadFile("testdata/fullchain-indented.yaml") // tls: crt: | ... key: | ...
	b, err := custom.Parse(custom.Input{Certificate: yaml})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.Leaf.Subject.CommonName, len(b.Intermediates))
	// Output: example.com 1
}
