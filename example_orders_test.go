package certs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"sync/atomic"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// These examples take their certificates from certstest's in-process ACME
// CA; in production, acme.New talks to Let's Encrypt (see Example_server).

// An order's alternative names are served too, each from the record of the
// hostname that ordered them.
func ExampleManager_Obtain_altNames() {
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
	h, err := m.Obtain(ctx, "example.com", certs.ObtainOptions{AltNames: []string{"www.example.com", "api.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ServedNames)
	for _, name := range h.ServedNames {
		ex, err := m.Explain(ctx, name)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(name, ex.Match, ex.Hostname, ex.Source)
	}
	// Output:
	// [example.com www.example.com api.example.com]
	// example.com own example.com acme
	// www.example.com further_name example.com acme
	// api.example.com further_name example.com acme
}

// Request returns at once; the scheduler started by Start places the
// order, and an event reports the outcome. (Platforms that run the
// scheduler from cron call RenewDue instead of Start.)
func ExampleManager_Request() {
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
	outcome := make(chan certs.Event, 1)
	unsubscribe := m.Subscribe(func(ev certs.Event) {
		if ev.Type == certs.EventIssued || ev.Type == certs.EventObtainFailed {
			select {
			case outcome <- ev:
			default:
			}
		}
	})
	defer unsubscribe()
	ctx := context.Background()
	if err := m.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer m.Stop()

	h, err := m.Request(ctx, "shop.example.com", certs.ObtainOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Status, h.Pending.Names)
	select {
	case ev := <-outcome:
		fmt.Println(ev.Type, ev.Hostname, ev.Certificate.Status)
	case <-time.After(time.Minute):
		log.Fatal("no outcome within a minute")
	}
	// Output:
	// pending_validation [shop.example.com]
	// issued shop.example.com active
}

// An order that fails stays pending, and the scheduler retries it on the
// backoff (1 minute, 10 minutes, ...) until it is issued. Here port 80
// does not reach the Manager at first; the Manager's clock is then moved
// past the first backoff, and RenewDue does what Start does when the time
// comes.
func ExampleManager_RenewDue() {
	ca, stop, err := certstest.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		log.Fatal(err)
	}
	var ahead atomic.Int64 // how far the Manager's clock runs ahead of the real one
	m, err := certs.New(certs.Config{
		Store: store.NewMemory(), Issuer: iss,
		Clock: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) },
	})
	if err != nil {
		log.Fatal(err)
	}
	unsubscribe := m.Subscribe(func(ev certs.Event) { fmt.Println("event:", ev.Type, ev.Hostname) })
	defer unsubscribe()
	ctx := context.Background()

	_, err = m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{})
	fmt.Println(errors.Is(err, certs.ErrValidationFailed))
	h, err := m.Get(ctx, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	p := h.Pending
	fmt.Println(h.Status, p.Attempts, "attempt, next after", p.NextAttemptAt.Sub(*p.LastAttemptAt))

	ca.HandleHTTP01(m.HTTPHandler(nil)) // the fix: port 80 now reaches the Manager
	m.RenewDue(ctx)                     // not due yet: nothing happens
	ahead.Add(int64(time.Minute))
	m.RenewDue(ctx) // due: the order is placed again
	h, err = m.Get(ctx, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Status, h.Pending == nil)
	// Output:
	// event: obtain_failed shop.example.com
	// true
	// pending_validation 1 attempt, next after 1m0s
	// event: issued shop.example.com
	// active true
}

// Renew with another key type; the renewed certificate keeps it for later
// renewals.
func ExampleManager_Renew_options() {
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
	h, err := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ACME.KeyType, h.ACME.KeyBits)
	h, err = m.Renew(ctx, "shop.example.com", certs.RenewOptions{KeyType: certs.KeyRSA2048})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ACME.KeyType, h.ACME.KeyBits)
	h, err = m.Renew(ctx, "shop.example.com", certs.RenewOptions{}) // as the scheduler renews
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ACME.KeyType, h.ACME.KeyBits, h.ACME.Options.KeyType)
	// Output:
	// ecdsa 256
	// rsa 2048
	// rsa 2048 rsa2048
}

// Switch automatic renewal off and on again, without renewing.
func ExampleManager_SetAutoRenew() {
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
	h, err := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{DisableAutoRenew: true})
	if err != nil {
		log.Fatal(err)
	}
	serial := h.ACME.Serial
	fmt.Println(h.ACME.AutoRenew)
	h, err = m.SetAutoRenew(ctx, "shop.example.com", true)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ACME.AutoRenew, h.ACME.Serial == serial)
	// Output:
	// false
	// true true
}

// A DNS provider given by name with its credentials, as a platform does
// for each customer's DNS: Config.NewDNSProvider builds it, and the name
// and credentials are kept (the credentials sealed like private keys,
// never shown) so that retries and renewals build it again. In production
// NewDNSProvider is dnsprovider.New; here a factory knows one provider,
// which publishes in the CA's DNS server.
func ExampleManager_Obtain_dnsProviderName() {
	ca, stop, err := certstest.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	iss, err := acme.New(ca.ACMEConfig())
	if err != nil {
		log.Fatal(err)
	}
	var built atomic.Int32
	m, err := certs.New(certs.Config{
		Store: store.NewMemory(), Issuer: iss,
		NewDNSProvider: func(name string, credentials map[string]string) (certs.DNSProvider, error) {
			if name != "exampledns" || credentials["api_token"] == "" {
				return nil, fmt.Errorf("unknown DNS provider %q, or no api_token", name)
			}
			built.Add(1)
			return ca.DNSProvider(), nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	h, err := m.Obtain(ctx, "*.shop.example.com", certs.ObtainOptions{
		DNSProviderName: "exampledns",
		DNSCredentials:  certs.DNSCredentials{"api_token": "s3cret-token"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ACME.Options.Challenge, h.ACME.Options.DNSProvider)
	h, err = m.Renew(ctx, "*.shop.example.com", certs.RenewOptions{})
	if err != nil {
		log.Fatal(err)
	}
	shown, err := json.Marshal(h)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(built.Load(), strings.Contains(string(shown), "s3cret-token"))
	// Output:
	// dns-01 exampledns
	// 2 false
}
