package certs_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// The README's example: a server that obtains, renews and serves ACME
// certificates (compiled, not run: it needs ports 80 and 443).
func Example_server() {
	ctx := context.Background()
	st, err := store.NewFS("/var/lib/certs")
	if err != nil {
		log.Fatal(err)
	}
	iss, err := acme.New(acme.Config{Email: "ops@example.com", AgreeTOS: true, Store: st})
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: st, Issuer: iss})
	if err != nil {
		log.Fatal(err)
	}
	// HTTP-01 challenges, and a redirect to https for everything else.
	go func() { log.Fatal(http.ListenAndServe(":80", m.HTTPHandler(nil))) }()
	if err := m.Start(ctx); err != nil { // automatic renewal
		log.Fatal(err)
	}
	if _, err := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{}); err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: ":443", TLSConfig: m.TLSConfig()}
	log.Fatal(srv.ListenAndServeTLS("", ""))
}

// TestReadmeExampleIsExampleServer keeps the README's Go example the body
// of Example_server, so that what readers copy is compiled and checks every
// error.
func TestReadmeExampleIsExampleServer(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, rest, ok := strings.Cut(string(readme), "```go\n")
	require.True(t, ok, "README.md has a Go example")
	block, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)

	const file = "example_acme_test.go"
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	require.NoError(t, err)
	var body string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "Example_server" {
			body = string(src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset])
		}
	}
	require.NotEmpty(t, body, "Example_server in %s", file)
	lines := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	require.Equal(t, lines(body), lines(block), "README.md's Go example and Example_server differ")
}

// exampleCAEnv starts an in-process ACME CA (Pebble) and a Manager whose
// HTTPHandler answers its HTTP-01 challenges.
func exampleCAEnv() (*certs.Manager, *pebbletest.Server, func()) {
	pebble, stop, err := pebbletest.Run(pebbletest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	st := store.NewMemory()
	iss, err := acme.New(acme.Config{
		DirectoryURL: pebble.DirectoryURL, AgreeTOS: true, Email: "ops@example.com",
		HTTPClient: pebble.HTTPClient(), Store: st, Logger: quiet(), DefaultProfile: "classic",
	})
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: st, Issuer: iss, Logger: quiet()})
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: m.HTTPHandler(nil), ReadHeaderTimeout: time.Second}
	go func() {
		if err := srv.Serve(pebble.HTTPListener); !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()
	return m, pebble, func() {
		if err := srv.Close(); err != nil {
			log.Fatal(err)
		}
		stop()
	}
}

func ExampleManager_Obtain() {
	m, _, stop := exampleCAEnv()
	defer stop()
	ctx := context.Background()
	h, err := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{
		AltNames: []string{"www.shop.example.com"}, KeyType: certs.KeyEC384,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Status, h.ACME.Source, h.ACME.SANs, h.ACME.KeyType, h.ACME.KeyBits, h.ACME.AutoRenew)
	// Output: active acme [shop.example.com www.shop.example.com] ecdsa 384 true
}

func ExampleManager_Renew() {
	m, _, stop := exampleCAEnv()
	defer stop()
	ctx := context.Background()
	first, err := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{})
	if err != nil {
		log.Fatal(err)
	}
	renewed, err := m.Renew(ctx, "shop.example.com", certs.RenewOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(renewed.ACME.Serial != first.ACME.Serial, renewed.ACME.RenewedFrom.Equal(first.ACME.NotBefore))
	// Output: true true
}

func ExampleManager_Revoke() {
	m, _, stop := exampleCAEnv()
	defer stop()
	ctx := context.Background()
	if _, err := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{}); err != nil {
		log.Fatal(err)
	}
	h, err := m.Revoke(ctx, "shop.example.com", certs.ReasonKeyCompromise)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ACME.Status, h.ACME.AutoRenew)
	_, err = m.Revoke(ctx, "shop.example.com", certs.ReasonKeyCompromise)
	fmt.Println(errors.Is(err, certs.ErrAlreadyRevoked))
	// Output:
	// revoked false
	// true
}
