package certstest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// A Manager obtains a certificate from the in-process CA and serves it
// over HTTPS; a client that trusts the CA's roots gets a page.
func ExampleRun() {
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

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s", r.TLS.ServerName)
	}))
	srv.TLS = m.TLSConfig()
	srv.StartTLS()
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		ServerName: "shop.example.com", // as if DNS pointed shop.example.com here
		RootCAs:    ca.Roots(),         // what the system roots are to Let's Encrypt's certificates
	}}}
	resp, err := client.Get(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	defer func() {
		if err := resp.Body.Close(); err != nil {
			log.Fatal(err)
		}
	}()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	leaf := resp.TLS.PeerCertificates[0]
	fmt.Printf("%s; %v valid %.0f days\n", body, leaf.DNSNames, leaf.NotAfter.Sub(leaf.NotBefore).Hours()/24)
	// Output: hello from shop.example.com; [shop.example.com] valid 90 days
}

// DNS-01, which wildcards need: the CA's DNS provider publishes the TXT
// records in the DNS server the CA asks.
func ExampleCA_DNSProvider() {
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
	h, err := m.Obtain(context.Background(), "*.apps.example.com", certs.ObtainOptions{AltNames: []string{"apps.example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.ACME.SANs, h.ACME.Options.Challenge)
	fmt.Println(ca.TXT("_acme-challenge.apps.example.com")) // cleaned up
	// Output:
	// [*.apps.example.com apps.example.com] dns-01
	// []
}

// Until something answers the CA's HTTP-01 requests, orders fail as they
// would for a server whose port 80 does not reach the Manager.
func ExampleCA_HandleHTTP01() {
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
	ctx := context.Background()
	_, err = m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{})
	var verr *certs.ValidationError
	if !errors.As(err, &verr) {
		log.Fatalf("want a validation error, got %v", err)
	}
	fmt.Println(verr.Problems[0].Domain, verr.Problems[0].Challenge)

	ca.HandleHTTP01(m.HTTPHandler(nil))
	h, err := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Status)
	// Output:
	// shop.example.com http-01
	// active
}

// Revoke reaches the CA.
func ExampleCA_Revoked() {
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
	ca.HandleTLSALPN01(m.GetCertificate)
	ctx := context.Background()
	h, err := m.Obtain(ctx, "shop.example.com", certs.ObtainOptions{Challenge: certs.ChallengeTLSALPN01})
	if err != nil {
		log.Fatal(err)
	}
	c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: "shop.example.com"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.Revoke(ctx, h.Hostname, certs.ReasonKeyCompromise); err != nil {
		log.Fatal(err)
	}
	revoked, err := ca.Revoked(ctx, c.Leaf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(revoked)
	// Output: true
}

// A certificate as users upload it, signed by a CA the Manager trusts.
func ExampleLocalCA() {
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
	h, err := m.Import(context.Background(), "shop.example.com", upload, certs.ImportOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(h.Status, h.Custom.Issuer, len(h.Custom.Warnings))
	// Output: active CN=certstest Local CA 0
}
