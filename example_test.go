package certs_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/store"
)

// exampleCA is a private CA standing in for the CA that issued a user's
// certificate; examples trust it through Config.Roots.
type exampleCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newExampleCA() *exampleCA {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Example Internal CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	return &exampleCA{cert, key}
}

func (ca *exampleCA) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// upload returns what a user would upload: a PEM certificate and key.
func (ca *exampleCA) upload(days int, names ...string) certs.Input {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour),
		NotAfter:    time.Now().Add(time.Duration(days) * 24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		log.Fatal(err)
	}
	k8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		log.Fatal(err)
	}
	return certs.Input{
		Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		PrivateKey:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k8}),
	}
}

// newExampleManager is a Manager on an in-memory store that trusts ca.
func newExampleManager(ca *exampleCA) *certs.Manager {
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: ca.pool()})
	if err != nil {
		log.Fatal(err)
	}
	return m
}

// A Manager serves every hostname it holds through one tls.Config.
func Example() {
	m, err := certs.New(certs.Config{Store: store.NewMemory()})
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: ":8443", TLSConfig: m.TLSConfig()}
	_ = srv // srv.ListenAndServeTLS("", "") serves custom, then ACME certificates
	fmt.Println(srv.TLSConfig.GetCertificate != nil)
	// Output: true
}

func ExampleManager_Import() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	h, err := m.Import(context.Background(), "Shop.Example.com", ca.upload(90, "shop.example.com"), certs.ImportOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Hostname, h.Status, h.Custom.Source, h.Custom.Issuer)
	// Output: shop.example.com active custom CN=Example Internal CA
}

func ExampleManager_Import_typedErrors() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	_, err := m.Import(context.Background(), "other.example.com", ca.upload(90, "shop.example.com"), certs.ImportOptions{})
	fmt.Println(errors.Is(err, certs.ErrHostnameMismatch))
	// Output: true
}

func ExampleManager_Validate() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	rep := m.Validate(ca.upload(10, "soon.example.com"), "soon.example.com")
	fmt.Println(rep.Valid, rep.Facts.CommonName)
	for _, w := range rep.Warnings {
		fmt.Println(w.Code)
	}
	// Output:
	// true soon.example.com
	// expiring_soon
}

func ExampleManager_GetCertificate() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	ctx := context.Background()
	if _, err := m.Import(ctx, "*.apps.example.com", ca.upload(90, "*.apps.example.com"), certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "Blog.Apps.Example.com"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Leaf.DNSNames)
	_, err = m.GetCertificate(&tls.ClientHelloInfo{ServerName: "unknown.example.com"})
	fmt.Println(errors.Is(err, certs.ErrUnknownHost))
	// Output:
	// [*.apps.example.com]
	// true
}

func ExampleManager_List() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	ctx := context.Background()
	for _, h := range []string{"a.example.com", "b.example.com", "c.example.org"} {
		if _, err := m.Import(ctx, h, ca.upload(90, h), certs.ImportOptions{}); err != nil {
			log.Fatal(err)
		}
	}
	page, err := m.List(ctx, certs.ListOptions{Filter: "example.com", Limit: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Total, page.Hosts[0].Hostname)
	page, err = m.List(ctx, certs.ListOptions{Filter: "example.com", Limit: 1, Cursor: page.NextCursor})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Hosts[0].Hostname, page.NextCursor == "")
	// Output:
	// 2 a.example.com
	// b.example.com true
}

func ExampleManager_RemoveCustom() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", ca.upload(90, "shop.example.com"), certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	h, err := m.RemoveCustom(ctx, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Hostname, h.HasCustom())
	// Output: shop.example.com false
}

func ExampleManager_Remove() {
	ca := newExampleCA()
	m, err := certs.New(certs.Config{
		Store: store.NewMemory(), Roots: ca.pool(),
		// A platform refuses to remove certificates its apps still use.
		InUse: func(ctx context.Context, hostname string) (bool, error) { return hostname == "busy.example.com", nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Import(ctx, "busy.example.com", ca.upload(90, "busy.example.com"), certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(errors.Is(m.Remove(ctx, "busy.example.com"), certs.ErrInUse))
	// Output: true
}

func ExampleManager_Export() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", ca.upload(90, "shop.example.com"), certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "live")
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			log.Fatal(err)
		}
	}()
	if err := m.Export(ctx, "shop.example.com", dir); err != nil {
		log.Fatal(err)
	}
	for _, f := range []string{"cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f, st.Mode().Perm())
	}
	// Output:
	// cert.pem -rw-r--r--
	// chain.pem -rw-r--r--
	// fullchain.pem -rw-r--r--
	// privkey.pem -rw-------
}

func ExampleManager_PEM() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", ca.upload(90, "shop.example.com"), certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	leaf, err := m.PEM(ctx, "shop.example.com", certs.SourceCustom, certs.PEMLeaf)
	if err != nil {
		log.Fatal(err)
	}
	key, err := m.PrivateKey(ctx, "shop.example.com", certs.SourceCustom)
	if err != nil {
		log.Fatal(err)
	}
	b, _ := pem.Decode(leaf) // (the second result is what follows the block)
	k, _ := pem.Decode(key)
	if b == nil || k == nil {
		log.Fatal("no PEM block")
	}
	fmt.Println(b.Type, k.Type)
	// Output: CERTIFICATE PRIVATE KEY
}

func ExampleManager_Subscribe() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	stop := m.Subscribe(func(ev certs.Event) {
		// A deploy hook: reload nginx, call a webhook (in a goroutine), ...
		fmt.Println(ev.Type, ev.Hostname, ev.Source)
	})
	defer stop()
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", ca.upload(90, "shop.example.com"), certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	if err := m.Remove(ctx, "shop.example.com"); err != nil {
		log.Fatal(err)
	}
	// Output:
	// imported shop.example.com custom
	// removed shop.example.com
}

func ExampleManager_Status() {
	ca := newExampleCA()
	m := newExampleManager(ca)
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", ca.upload(20, "shop.example.com"), certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	st, err := m.Status(ctx, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Status, st.Source, st.DaysUntilExpiry)
	// Output: expiring_soon custom 19
}

func ExampleNormalizeHostname() {
	for _, in := range []string{"Bücher.Example.", "*.Example.com", "a/../b"} {
		out, err := certs.NormalizeHostname(in)
		fmt.Printf("%q %v\n", out, errors.Is(err, certs.ErrInvalidHostname))
	}
	// Output:
	// "xn--bcher-kva.example" false
	// "*.example.com" false
	// "" true
}
