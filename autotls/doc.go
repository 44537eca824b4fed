// Package autotls serves an http.Handler over HTTPS in one call, with
// certificates obtained and renewed automatically:
//
//	err := autotls.Serve(ctx, mux, "example.com", "www.example.com")
//
// That call listens on :443 (HTTPS, HTTP/2 on) and :80 (the ACME HTTP-01
// challenge, and a redirect to https for everything else), keeps
// certificates and the ACME account in the filesystem under
// store.DefaultDir(), asks Let's Encrypt for one certificate per name in
// the background (retried on a backoff until issued: the site answers
// at once, and a name's handshakes succeed as soon as its certificate is
// there), renews them before they expire, and shuts down gracefully when
// ctx is cancelled.
//
// # Terms of service
//
// Using this package agrees to the terms of service of the certificate
// authority it talks to, on your behalf (it sets acme.Config.AgreeTOS).
// For Let's Encrypt, the default, that is the Subscriber Agreement at
// https://letsencrypt.org/repository/. Read it before you deploy. An email
// address (Config.Email) is optional; with one, the CA can warn you about
// problems with your certificates.
//
// # More control
//
// ServeConfig takes a Config: Let's Encrypt staging, another CA, another
// Store, encryption at rest, on-demand TLS, other addresses, or listeners
// opened beforehand (socket activation, tests). Listen returns a TLS
// listener for servers that bring their own http.Server, and New returns a
// Server whose certs.Manager can be used before serving (subscribe to
// events, import a custom certificate) and after.
//
// # Errors a first deployment meets
//
// Each is typed, and its message says what to do: ErrNoNames (no
// hostname given), ErrPermission (no permission to listen on :443 or :80),
// ErrAddrInUse (another program holds the address; errors.As gives the
// *ListenError with the address), certs.ErrInvalidHostname (a name that
// cannot get a certificate), certs.ErrWildcardNeedsDNS01 (wildcards need
// DNS-01: use a certs.Manager with a DNS provider) and certs.ErrInvalidConfig
// (a Config that contradicts itself).
package autotls
