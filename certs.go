// Package certs manages the whole life of TLS certificates for a Go server
// or a platform that hosts other people's domains: import custom
// certificates, obtain and renew ACME ones, check DNS, and serve them all
// through one GetCertificate hook.
//
// A Manager combines a Store (where records live), an Issuer (a CA, see the
// acme package) and a DNSProvider (for DNS-01, see the dnsprovider package).
// For each hostname it holds up to two certificates, a custom one and an
// ACME one, and serves the custom one first; a certificate is served for
// every name it covers that the Manager may serve (see Manager.Explain).
//
// Every Manager method is safe for concurrent use. A Manager has no
// package-level state: several Managers in one process are independent.
//
// This file holds the contracts the Manager is built on; the Manager itself
// is in manager.go, what a handshake does in serve.go, and every error in
// errors.go.
package certs

import (
	"context"
	"crypto/x509"

	"github.com/certs-dev/certs/store"
)

// Store persists hostname records, ACME accounts and challenge tokens. It is
// the contract defined in package store; see store.Store for the rules every
// implementation follows and store/storetest for the conformance suite.
type Store = store.Store

// Locker is the optional ability of a Store to coordinate several
// processes; see store.Locker.
type Locker = store.Locker

// Issuer obtains and revokes certificates from a certificate authority.
// The acme package implements it on lego.
//
// Implementations must be safe for concurrent use and must return when ctx
// is done, leaking nothing. Errors that a user can act on are typed:
// *ValidationError for failed challenges, *RateLimitError for rate limits.
type Issuer interface {
	Issue(ctx context.Context, req IssueRequest) (*IssuedCertificate, error)
	Revoke(ctx context.Context, chainPEM []byte, reason RevocationReason) error
}

// A RenewalInfoer is an Issuer that can fetch ARI renewal windows. The
// renewal scheduler uses it when available.
type RenewalInfoer interface {
	RenewalInfo(ctx context.Context, cert *x509.Certificate) (*RenewalWindow, error)
}

// A StoreUser is an Issuer that keeps secrets of its own in a Store (the
// acme package's Issuer keeps its ACME account key there). New hands it
// the Manager's Store, sealed when Config.EncryptionKey is set, when it has
// no Store or has the very Store given as Config.Store: in the natural
// set-up, where both share one Store, everything secret is then sealed at
// rest.
type StoreUser interface {
	// Store returns the Store the Issuer uses, or nil.
	Store() Store
	// UseStore makes the Issuer use st. It is called before first use.
	UseStore(st Store)
}

// DNSProvider presents and cleans up DNS-01 TXT records.
//
// Implementations must be safe for concurrent use, honour ctx, and make
// CleanUp of a record that is not there a success. Credentials must never
// appear in errors, logs or String output.
type DNSProvider interface {
	Present(ctx context.Context, rec DNSRecord) error
	CleanUp(ctx context.Context, rec DNSRecord) error
}

// ChallengeSolver makes an HTTP-01 or TLS-ALPN-01 challenge answerable. The
// Manager implements it: HTTP-01 tokens go to the Store so that any replica
// can answer; TLS-ALPN-01 certificates are served by GetCertificate.
type ChallengeSolver interface {
	Present(ctx context.Context, domain, token, keyAuth string) error
	CleanUp(ctx context.Context, domain, token, keyAuth string) error
}
