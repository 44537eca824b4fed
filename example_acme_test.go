package certs_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

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
	iss, _ := acme.New(acme.Config{Email: "ops@example.com", AgreeTOS: true, Store: st})
	m, err := certs.New(certs.Config{Store: st, Issuer: iss})
	if err != nil {
		log.Fatal(err)
	}
	go http.ListenAndServe(":80", m.HTTPHandler(nil)) // HTTP-01 + redirect to https
	if err := m.Start(ctx); err != nil {              // automatic renewal
		log.Fatal(err)
	}
	_, err = m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{})
	srv := &http.Server{Addr: ":443", TLSConfig: m.TLSConfig()}
	log.Fatal(srv.ListenAndServeTLS("", ""))
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
	go srv.Serve(pebble.HTTPListener)
	return m, pebble, func() { srv.Close(); stop() }
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
	first, _ := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{})
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
	_, _ = m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{})
	h, err := m.Revoke(ctx, "shop.example.com", certs.ReasonKeyCompromise)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ACME.Status, h.ACME.AutoRenew)
	_, err = m.Revoke(ctx, "shop.example.com", certs.ReasonKeyCompromise)
	fmt.Println(err != nil)
	// Output:
	// revoked false
	// true
}
