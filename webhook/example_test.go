package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/webhook"
)

// A tenant's receiver gets its hostnames' events, signed. In a server, run
// go d.Run(ctx) instead of calling DeliverDue.
func Example() {
	ctx := context.Background()
	st := store.NewMemory()
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	m, err := certs.New(certs.Config{Store: st, Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	d, err := webhook.New(ctx, webhook.Config{Manager: m, Store: st, AllowHTTP: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	// The receiver (the tenant's server): verify, then act.
	secret, err := webhook.NewSecret()
	if err != nil {
		log.Fatal(err)
	}
	received := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := webhook.VerifyRequest(r, secret, time.Now(), 0)
		if err != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		received <- fmt.Sprint(p.Type, " ", p.Hostname, " for tenant ", p.Tenant)
	}))
	defer srv.Close()

	sub, err := d.AddSubscription(ctx, webhook.Subscription{Tenant: "shop-42", URL: srv.URL + "/certs",
		Secret: secret, Events: []certs.EventType{certs.EventImported, certs.EventRenewed}})
	if err != nil {
		log.Fatal(err)
	}
	in, err := local.Issue(90*24*time.Hour, "shop.example.com")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.Import(ctx, "shop.example.com", in, certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	md := certs.Metadata{Labels: map[string]string{webhook.TenantLabel: "shop-42"}}
	if _, err := m.SetMetadata(ctx, "shop.example.com", md); err != nil {
		log.Fatal(err)
	}
	if _, err := m.Import(ctx, "shop.example.com", in, certs.ImportOptions{}); err != nil {
		log.Fatal(err)
	}
	if err := d.DeliverDue(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-received)
	page, err := d.Deliveries(ctx, sub.ID, webhook.ListOptions{})
	if err != nil {
		log.Fatal(err)
	}
	dl := page.Deliveries[0]
	fmt.Println(len(page.Deliveries), dl.Status, dl.Attempts[0].StatusCode)
	// Output:
	// imported shop.example.com for tenant shop-42
	// 1 delivered 200
}

// Sign makes the X-Certs-Signature header; Verify checks it on the
// receiving side.
func ExampleVerify() {
	secret := webhook.Secret("whsec_example-secret-000")
	body := []byte(`{"id":"wh_1.0","type":"renewed","hostname":"shop.example.com"}`)
	sentAt := time.Unix(1_800_000_000, 0)
	header := webhook.Sign(secret, sentAt, body)
	fmt.Println(header[:13])
	fmt.Println(webhook.Verify(secret, header, body, sentAt.Add(time.Minute), 0))
	fmt.Println(webhook.Verify(secret, header, body, sentAt.Add(time.Hour), 0) != nil)
	// Output:
	// t=1800000000,
	// <nil>
	// true
}

// A Secret never prints; Reveal returns it, to show it once.
func ExampleSecret() {
	secret := webhook.Secret("whsec_example-secret-000")
	fmt.Println(secret)
	fmt.Printf("%q %x\n", secret, secret)
	fmt.Println(len(secret.Reveal()))
	// Output:
	// <redacted>
	// <redacted> <redacted>
	// 24
}
