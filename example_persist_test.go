package certs_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// dns-persist-01: the customer adds one permanent TXT record, and the
// platform obtains and renews for ever with no DNS provider and no DNS
// credentials. certstest.Run stands in for Let's Encrypt; in production the
// customer adds the record at their DNS host.
func ExampleManager_PersistRecord() {
	ca, stop, err := certstest.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss}) // no DNS provider
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	rec, err := m.PersistRecord(ctx, "shop.example.com", true) // true: wildcards too
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Name)
	fmt.Println(strings.HasPrefix(rec.Value, "pebble.letsencrypt.org; accounturi=https://"),
		strings.HasSuffix(rec.Value, "; policy=wildcard"))

	// The customer adds the record once (here, in the test CA's DNS).
	_ = ca.DNSProvider().Present(ctx, certs.DNSRecord{FQDN: rec.Name + ".", Value: rec.Value})

	opts := certs.ObtainOptions{Challenge: certs.ChallengeDNSPersist01, AltNames: []string{"shop.example.com"}}
	h, err := m.Obtain(ctx, "*.shop.example.com", opts)
	if err != nil {
		log.Fatal(err)
	}
	h, err = m.Renew(ctx, "*.shop.example.com", certs.RenewOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Status, h.ACME.SANs, h.ACME.Options.Challenge, h.ACME.RenewedFrom != nil)
	// Output:
	// _validation-persist.shop.example.com
	// true true
	// active [*.shop.example.com shop.example.com] dns-persist-01 true
}

// dns-account-01: the DNS provider presents the record under a name scoped
// to the ACME account (DNSRecord.FQDN), so that another ACME client, with
// its own account, can validate the same name at the same time.
func ExampleManager_Obtain_dnsAccount01() {
	ca, stop, err := certstest.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss, DNSProvider: ca.DNSProvider()})
	if err != nil {
		log.Fatal(err)
	}
	h, err := m.Obtain(context.Background(), "*.shop.example.com", certs.ObtainOptions{Challenge: certs.ChallengeDNSAccount01})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Status, h.ACME.SANs, h.ACME.Options.Challenge)
	// Output: active [*.shop.example.com] dns-account-01
}
