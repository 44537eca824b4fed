package certs_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// A custom certificate imported under one hostname is served for further
// names it covers: the ones listed in ImportOptions.Names, or with AllNames
// every DNS name it lists. A real TLS handshake for a further name gets it.
func ExampleManager_Import_furtherNames() {
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	upload, err := local.Issue(90*24*time.Hour, "example.com", "www.example.com", "api.example.com")
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	h, err := m.Import(ctx, "example.com", upload, certs.ImportOptions{Names: []string{"www.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ServedNames)
	h, err = m.Import(ctx, "example.com", upload, certs.ImportOptions{AllNames: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ServedNames)

	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = m.TLSConfig()
	srv.StartTLS()
	defer srv.Close()
	conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), &tls.Config{
		ServerName: "api.example.com",
		RootCAs:    local.Roots(),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := conn.Close(); err != nil {
			log.Fatal(err)
		}
	}()
	fmt.Println(conn.ConnectionState().PeerCertificates[0].Subject.CommonName)
	// Output:
	// [example.com www.example.com]
	// [example.com www.example.com api.example.com]
	// example.com
}

// Explain says which record and certificate a handshake for a name gets,
// and why: its own record, a record covering it as a further name, or the
// wildcard one label up.
func ExampleManager_Explain() {
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for _, imp := range []struct {
		hostname string
		names    []string
		opts     certs.ImportOptions
	}{
		{"example.com", []string{"example.com", "www.example.com"}, certs.ImportOptions{AllNames: true}},
		{"*.apps.example.com", []string{"*.apps.example.com"}, certs.ImportOptions{}},
	} {
		upload, err := local.Issue(90*24*time.Hour, imp.names...)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := m.Import(ctx, imp.hostname, upload, imp.opts); err != nil {
			log.Fatal(err)
		}
	}
	for _, name := range []string{"example.com", "www.example.com", "blog.apps.example.com"} {
		ex, err := m.Explain(ctx, name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %s, record %s, %s certificate\n", name, ex.Match, ex.Hostname, ex.Source)
		fmt.Println("   ", ex.Reason)
	}
	_, err = m.Explain(ctx, "shop.example.org")
	fmt.Println(errors.Is(err, certs.ErrUnknownHost))
	// Output:
	// example.com: own, record example.com, custom certificate
	//     example.com has a record of its own; it holds only a custom certificate for this name
	// www.example.com: further_name, record example.com, custom certificate
	//     www.example.com has no record of its own serving it; hostname example.com covers it as a further name; it holds only a custom certificate for this name
	// blog.apps.example.com: wildcard, record *.apps.example.com, custom certificate
	//     no record serves blog.apps.example.com itself; the wildcard *.apps.example.com has a record of its own; it holds only a custom certificate for this name
	// true
}
