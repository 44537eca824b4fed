// Package pebbletest runs Pebble, Let's Encrypt's test ACME server, inside
// the test process, for tests of any package of this module.
//
// It is a thin layer over internal/pebblecore, which does the work without
// importing the testing package (so that cmd/certs can embed Pebble):
// Start ties a Pebble's life to a test, and HandleHTTP01 and
// HandleTLSALPN01 serve the challenge ports until the test ends. Nothing
// leaves the loopback interface:
//
//	srv := pebbletest.Start(t, pebbletest.Options{})
//	client := srv.HTTPClient() // trusts Pebble's TLS certificate
//	srv.HandleHTTP01(t, myChallengeHandler)
//	// ... point an ACME client at srv.DirectoryURL, request profile "shortlived" ...
//
// Every name resolves to 127.0.0.1 (A) and to nothing over AAAA, so the
// validation authority reaches the test's challenge servers; DNS-01 tests
// publish records with AddTXT and AddCNAME. The pitfalls pebblecore
// handles (Pebble's PEBBLE_* environment variables, the DNS server shared
// by the whole test binary, random profiles, lego's 5 s sleep) are listed
// in its documentation: never use t.Setenv for PEBBLE_* variables, and
// give tests sharing the DNS server names of their own (UniqueDomain).
package pebbletest
