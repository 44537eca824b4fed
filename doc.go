// Package certs manages the whole life of TLS certificates for a Go server
// or a platform that hosts other people's domains: import custom
// certificates, obtain and renew ACME ones, check DNS, and serve them all
// through one GetCertificate hook.
//
// A Manager combines a Store (where records live), an Issuer (a CA, see the
// acme package) and a DNSProvider (for DNS-01, see the dnsprovider package).
// For each hostname it holds up to two certificates, a custom one and an
// ACME one, and serves the custom one first.
//
// Every Manager method is safe for concurrent use. A Manager has no
// package-level state: several Managers in one process are independent.
package certs
