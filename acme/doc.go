// Package acme is a certs.Issuer that obtains certificates from an ACME
// certificate authority (Let's Encrypt, ZeroSSL, Google Trust Services, a
// private CA, Pebble) on top of lego's ACME protocol layer.
//
//	iss, err := acme.New(acme.Config{
//		Email:    "ops@example.com",
//		AgreeTOS: true,
//		Store:    st, // where the ACME account is kept
//	})
//	cert, err := iss.Issue(ctx, certs.IssueRequest{
//		Names:  []string{"example.com", "www.example.com"},
//		HTTP01: solver,
//	})
//
// # Accounts
//
// One ACME account exists per (directory URL, email). Its key and
// registration are stored as a blob of Config.Store under
// acme/accounts/<sha256 of the directory URL>/<email or "default">/account.json,
// created on first use and reused by every later Issue call, by every Issuer
// on the same Store, and after restarts. If the Store is a certs.Locker the
// creation is done under its lock, so that concurrent first uses create one
// account. An account the CA no longer knows (a reset test CA, a deleted
// account) is registered again with the same key, once, and stored.
// Revoke never creates an account: only the account that obtained a
// certificate can revoke it.
//
// # Contexts
//
// lego's high-level client (lego.Client, certificate.Certifier) takes no
// context and sleeps in places that cannot be interrupted, and its DNS-01
// solver queries package-global resolvers. This package therefore drives the
// order itself (new order, authorizations, challenges, finalization,
// download) through lego's protocol layer (api.Core: JWS, nonces, badNonce
// retries), with an HTTP client bound to the caller's context: when ctx is
// done every request fails at once and every wait returns, so Issue returns
// promptly without leaving goroutines behind. Challenge records are always
// cleaned up, with a detached context bounded by 30 s, also after
// cancellation.
//
// # Validation
//
// Once the challenges are presented, Issue POSTs each one to the CA and
// polls its authorization, quickly at first, then up to every 5 s, never
// sooner than the CA's Retry-After. Every poll also looks at the challenge
// that was POSTed (found by its URL), because CAs differ:
//
//   - A challenge the CA marks invalid ends that authorization's wait at
//     once, even if the CA leaves the authorization pending; the CA's
//     problem detail (else its type) becomes the certs.ChallengeProblem's
//     Detail, with a Hint of what to fix.
//   - A challenge still pending (not processing) 2 s after it was POSTed is
//     POSTed again, for CAs that only start validating on a POST they did
//     not lose; the wait doubles every time (2 s, 4 s, 8 s) and a challenge
//     is POSTed at most 4 times in all.
//
// The wait is bounded by Config.ValidationTimeout (DefaultValidationTimeout,
// 3 minutes, when zero). When it runs out, Issue returns a
// *certs.ValidationError with TimedOut set, which matches both
// certs.ErrValidationFailed and certs.ErrValidationTimeout: it holds the
// problems already known and one per authorization the CA had not finished,
// whose Detail gives the timeout and the last statuses seen. A
// certs.Manager records these problems on the hostname
// (Host.ValidationErrors), as for any failed validation. A done ctx ends
// the wait at once, with an error matching ctx.Err().
//
// # DNS-01
//
// The TXT record's name is found by following any CNAME at
// _acme-challenge.<domain> (up to 8 hops), and its propagation is checked
// before the CA is asked to validate, with miekg/dns against
// Config.DNSResolvers or, by default, against every authoritative name
// server of the record's zone. No package-global resolver setting is read
// or written, so several Issuers in one process never interfere.
//
// # DNS-ACCOUNT-01 and DNS-PERSIST-01
//
// dns-account-01 (draft-ietf-acme-scoped-dns-challenges) is DNS-01 with
// the record at _<label>._acme-challenge.<domain>, the label being the
// lowercase base32 of the first 10 bytes of the SHA-256 of the account
// URI: several ACME clients validate one name side by side. The record is
// presented through IssueRequest.DNS01 (certs.DNSRecord.FQDN is the scoped
// name, after any CNAME), and its propagation checked, as for DNS-01.
//
// dns-persist-01 (draft-ietf-acme-dns-persist) presents nothing: the CA
// reads the permanent TXT record _validation-persist.<domain>, "<issuer
// domain name>; accounturi=<account URI>" (plus "; policy=wildcard" for
// wildcards), that the name's owner added once. PersistIdentity tells the
// issuer domain name (Config.IssuerDomainName, else the directory's first
// CAA identity) and the account URI, registering the account if needed;
// a failed validation's hint names the exact record to add.
//
// # Logging
//
// The Issuer logs its steps to Config.Logger. lego itself logs (rarely,
// now that this package drives orders: nonce retries, registrations)
// through the process-global variable github.com/go-acme/lego/v4/log.Logger,
// which this package never touches. To route those lines into slog, set it
// once at program start, before any Issuer runs:
//
//	legolog.Logger = acme.LegoLogger(logger)
package acme
