// Package pebblecore runs Pebble, Let's Encrypt's test ACME server, inside
// a process: the demo of cmd/certs embeds it, and internal/pebbletest
// wraps it for tests. It does not import the testing package, so that a
// binary can embed Pebble without linking it.
//
// Run builds a Pebble (its web front end, CA and validation authority)
// behind an httptest TLS server on 127.0.0.1, with its own loopback ports
// for the HTTP-01 and TLS-ALPN-01 challenges and a DNS server shared by
// every Pebble of the process. Nothing leaves the loopback interface:
//
//	srv, stop, err := pebblecore.Run(pebblecore.Options{})
//	defer stop()
//	client := srv.HTTPClient() // trusts Pebble's TLS certificate
//	stopHTTP, err := srv.ServeHTTP01(myChallengeHandler)
//	// ... point an ACME client at srv.DirectoryURL, request profile "shortlived" ...
//
// Every name resolves to 127.0.0.1 (A) and to nothing over AAAA, so the
// validation authority reaches the challenge servers; DNS-01 clients
// publish records with AddTXT and AddCNAME.
//
// # Pitfalls this package handles
//
//   - Pebble reads PEBBLE_* environment variables inside its constructors.
//     Run sets them (PEBBLE_VA_NOSLEEP=1 and the per-server options) under
//     a package mutex right before constructing, so servers with different
//     options can start from parallel goroutines. Never set them yourself.
//   - challtestsrv registers its DNS handler on miekg/dns's global mux, so
//     one DNS server is shared by the whole process. Users sharing it
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
//     checks must compare counts taken after Run.
package pebblecore
