// Package pebbletest runs Pebble, Let's Encrypt's test ACME server, inside
// the test process, for tests of any package of this module.
//
// Start builds a Pebble (its web front end, CA and validation authority)
// behind an httptest TLS server on 127.0.0.1, with its own loopback ports for
// the HTTP-01 and TLS-ALPN-01 challenges and a DNS server shared by every
// Pebble of the test binary. Nothing leaves the loopback interface:
//
//	srv := pebbletest.Start(t, pebbletest.Options{})
//	client := srv.HTTPClient() // trusts Pebble's TLS certificate
//	srv.HandleHTTP01(myChallengeHandler)
//	// ... point an ACME client at srv.DirectoryURL, request profile "shortlived" ...
//
// Every name resolves to 127.0.0.1 (A) and to nothing over AAAA, so the
// validation authority reaches the test's challenge servers; DNS-01 tests
// publish records with AddTXT and AddCNAME.
//
// # Pitfalls this package handles
//
//   - Pebble reads PEBBLE_* environment variables inside its constructors.
//     Start sets them (PEBBLE_VA_NOSLEEP=1 and the per-server options) under
//     a package mutex right before constructing, so servers with different
//     options can start from parallel tests. Never use t.Setenv for them.
//   - challtestsrv registers its DNS handler on miekg/dns's global mux, so
//     one DNS server is shared by the whole test binary. Tests sharing it
//     must use distinct names (see UniqueDomain).
//   - An order without a profile gets a random one: request one of the
//     profiles in Options.Profiles (by default "classic", "tlsserver" and
//     "shortlived").
//   - lego polls an authorization right after posting its challenge and,
//     when Pebble's asynchronous validation has not finished yet, sleeps
//     5 s. The transport of HTTPClient pauses 50 ms after challenge and
//     finalize POSTs so that the first poll sees the result.
//   - Pebble's validation authority and challenge-counting goroutines live
//     as long as the process (Pebble never stops them); goroutine-leak
//     checks must compare counts taken after Start.
package pebbletest
