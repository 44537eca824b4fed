package certs_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/store"
)

// A large fleet: New returns at once (BackgroundLoad) and holds at most
// MaxLoadedHostnames records in memory; a handshake for any other stored
// name loads it from the Store, and the least recently used records make
// room.
func ExampleConfig_maxLoadedHostnames() {
	ctx := context.Background()
	local, err := certstest.NewLocalCA()
	if err != nil {
		log.Fatal(err)
	}
	st := store.NewMemory() // pgstore.New or store.NewFS in production
	writer, err := certs.New(certs.Config{Store: st, Roots: local.Roots()})
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		upload, err := local.Issue(90*24*time.Hour, name)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := writer.Import(ctx, name, upload, certs.ImportOptions{}); err != nil {
			log.Fatal(err)
		}
	}

	m, err := certs.New(certs.Config{Store: st, BackgroundLoad: true, MaxLoadedHostnames: 2})
	if err != nil {
		log.Fatal(err)
	}
	for _, sni := range []string{"a.example.com", "b.example.com", "c.example.com", "a.example.com"} {
		c, err := m.GetCertificate(&tls.ClientHelloInfo{ServerName: sni})
		if err != nil {
			log.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(sni, "->", leaf.DNSNames[0])
	}
	_, err = m.GetCertificate(&tls.ClientHelloInfo{ServerName: "unknown.example.com"})
	fmt.Println(err)
	// Output:
	// a.example.com -> a.example.com
	// b.example.com -> b.example.com
	// c.example.com -> c.example.com
	// a.example.com -> a.example.com
	// certs: no certificate for this server name "unknown.example.com"
}
