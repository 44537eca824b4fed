package certs_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
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

// Obtain a certificate for a name and an alternative name. certstest.Run
// stands in for Let's Encrypt: in production, give acme.New your e-mail
// address and serve m.HTTPHandler(nil) on port 80 (see Example_server).
func ExampleManager_Obtain() {
	ca, stop, err := certstest.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss})
	if err != nil {
		log.Fatal(err)
	}
	ca.HandleHTTP01(m.HTTPHandler(nil)) // the CA's HTTP-01 requests reach the Manager
	h, err := m.Obtain(context.Background(), "shop.example.com", certs.ObtainOptions{
		AltNames: []string{"www.shop.example.com"}, KeyType: certs.KeyEC384,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Status, h.ACME.Source, h.ACME.SANs, h.ACME.KeyType, h.ACME.KeyBits, h.ACME.AutoRenew)
	// Output: active acme [shop.example.com www.shop.example.com] ecdsa 384 true
}

// Renew now, whatever the renewal schedule; the renewed certificate
// records which one it renewed.
func ExampleManager_Renew() {
	ca, stop, err := certstest.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss})
	if err != nil {
		log.Fatal(err)
	}
	ca.HandleHTTP01(m.HTTPHandler(nil))
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

// Revoke a certificate: the CA revokes it, the Manager stops serving and
// renewing it, and a second Revoke is ErrAlreadyRevoked.
func ExampleManager_Revoke() {
	ca, stop, err := certstest.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss})
	if err != nil {
		log.Fatal(err)
	}
	ca.HandleHTTP01(m.HTTPHandler(nil))
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
