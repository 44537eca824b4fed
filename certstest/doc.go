// Package certstest lets you test a server built on certs offline: it runs
// an ACME certificate authority inside your test process, with the DNS
// server that CA asks, so that Obtain, Request, Renew and Revoke go through
// a real ACME flow (orders, HTTP-01, TLS-ALPN-01 and DNS-01 challenges,
// issuance, revocation) without the internet. It also has a LocalCA that
// signs certificates for tests of Import.
//
// The CA is Pebble, Let's Encrypt's test server. Start runs one for the
// duration of a test and stops it in the test's cleanup; Run does the same
// for an Example or a program and returns a stop function. A test of your
// server then reads:
//
//	func TestShopGetsACertificate(t *testing.T) {
//		ca := certstest.Start(t)
//		iss, err := acme.New(ca.ACMEConfig())
//		if err != nil {
//			t.Fatal(err)
//		}
//		m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss, DNSProvider: ca.DNSProvider()})
//		if err != nil {
//			t.Fatal(err)
//		}
//		// The CA's HTTP-01 requests and TLS-ALPN-01 handshakes reach the Manager.
//		ca.HandleHTTP01(m.HTTPHandler(nil))
//		ca.HandleTLSALPN01(m.GetCertificate)
//		h, err := m.Obtain(t.Context(), "shop.example.com", certs.ObtainOptions{})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if h.Status != certs.StatusActive {
//			t.Errorf("status %s, want active", h.Status)
//		}
//	}
//
// A client of your server verifies what it serves with the pool of
// CA.Roots, as browsers verify Let's Encrypt's certificates with theirs.
//
// # What is real and what is not
//
// Pebble speaks ACME as Let's Encrypt does and validates every challenge
// for real: it fetches http://<name>/.well-known/acme-challenge/<token>,
// makes a TLS-ALPN-01 handshake, and looks up the _acme-challenge TXT
// record. Its own DNS server answers its questions: every name resolves to
// 127.0.0.1 (no AAAA), so the CA reaches the loopback ports where
// HandleHTTP01 and HandleTLSALPN01 answer, whatever the name; SetA and
// SetCNAME change that for one name, and DNSProvider publishes DNS-01
// records there. Nothing leaves the loopback interface. Unlike Let's
// Encrypt, Pebble has no rate limits, and it offers three profiles named
// like Let's Encrypt's: "classic" (90 days, the default of ACMEConfig),
// "tlsserver" (90 days) and "shortlived" (6 days).
//
// # Things to know
//
//   - Every CA of a test binary shares one DNS server (it is bound to a
//     process-wide handler). Records are kept per name, so tests that run
//     in parallel and change A or CNAME records must use names of their
//     own.
//   - Start and Run set Pebble's PEBBLE_* environment variables of the
//     process while they construct it; do not set them yourself.
//   - The CA dates a certificate from the moment it issues it: a Manager
//     whose Config.Clock runs behind the real time sees it as
//     not_yet_valid. Move such a clock ahead, not back.
//   - Pebble's validation goroutines and the DNS server live as long as the
//     process: a goroutine-leak check should count goroutines after Start.
//   - Importing this package pulls in Pebble; importing certs or acme
//     does not. Import it from tests only.
package certstest
