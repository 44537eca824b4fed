package certs_test

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// The examples of custom certificates take them from a certstest.LocalCA,
// which stands in for the CA that issued your users' certificates (a
// commercial CA, or a company's internal one that Config.Roots trusts).
// Its Issue returns what a user uploads: a PEM certificate and key.

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
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	h, err := m.Import(context.Background(), "Shop.Example.com", upload, certs.ImportOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Hostname, h.Status, h.Custom.Source, h.Custom.Issuer)
	// Output: shop.example.com active custom CN=certstest Local CA
}

func ExampleManager_Import_typedErrors() {
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	_, err = m.Import(context.Background(), "other.example.com", upload, certs.ImportOptions{})
	fmt.Println(errors.Is(err, certs.ErrHostnameMismatch))
	// Output: true
}

func ExampleManager_Validate() {
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(10*24*time.Hour, "soon.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	rep := m.Validate(upload, "soon.example.com")
	fmt.Println(rep.Valid, rep.Facts.CommonName)
	for _, w := range rep.Warnings {
		fmt.Println(w.Code)
	}
	// Output:
	// true soon.example.com
	// expiring_soon
}

func ExampleManager_GetCertificate() {
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "*.apps.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.Import(context.Background(), "*.apps.example.com", upload, certs.ImportOptions{}); err != nil {
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
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, h := range []string{"a.example.com", "b.example.com", "c.example.org"} {
		upload, err := local.Issue(90*24*time.Hour, h)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := m.Import(ctx, h, upload, certs.ImportOptions{}); err != nil {
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
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", upload, certs.ImportOptions{}); err != nil {
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
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "busy.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{
		Store: store.NewMemory(), Roots: local.Roots(),
		// A platform refuses to remove certificates its apps still use.
		InUse: func(ctx context.Context, hostname string) (bool, error) { return hostname == "busy.example.com", nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Import(ctx, "busy.example.com", upload, certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(errors.Is(m.Remove(ctx, "busy.example.com"), certs.ErrInUse))
	// Output: true
}

func ExampleManager_Export() {
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", upload, certs.ImportOptions{}); err != nil {
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
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", upload, certs.ImportOptions{}); err != nil {
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
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	stop := m.Subscribe(func(ev certs.Event) {
		// A deploy hook: reload nginx, call a webhook (in a goroutine), ...
		fmt.Println(ev.Type, ev.Hostname, ev.Source)
	})
	defer stop()
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", upload, certs.ImportOptions{}); err != nil {
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
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(20*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := m.Import(ctx, "shop.example.com", upload, certs.ImportOptions{}); err != nil {
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
