// Command certs is the operator's tool of the certs library: it manages
// the certificates of a store (a directory, or PostgreSQL) on the machine,
// or those of a running `certs serve` through its certificate API, and
// serves them.
//
//	certs import   HOSTNAME --cert FILE [--key FILE]   import a custom certificate
//	certs obtain   HOSTNAME [--alt-name N]...         obtain an ACME certificate
//	certs list     [--filter S] [--sort expiry]       the hostnames and what each serves
//	certs show     HOSTNAME                           a hostname in full
//	certs check    HOSTNAME                           look up its DNS, say what to fix
//	certs renew    HOSTNAME                           renew its ACME certificate now
//	certs revoke   HOSTNAME [--reason R]              revoke its ACME certificate
//	certs remove   HOSTNAME [--source S]              remove it, or one certificate
//	certs export   HOSTNAME --dir DIR                 certbot-style files, privkey.pem 0600
//	certs validate [HOSTNAME] --cert FILE             check an upload, store nothing
//	certs serve                                       HTTPS, HTTP-01, renewals, the API
//	certs demo                                        the whole life cycle on loopback
//
// Every command prints a human table on stdout, or JSON with --json (the
// library's types on a local store, the API's resources with --server;
// validate's report has the API's shape in both). Progress lines (account,
// order, each challenge, validation, issued) and errors go to stderr, so
// that stdout stays one JSON document; with --json a failure prints
// {"error": {"exit_code", "code", "message"}} there, code being the API's
// problem code ("key_mismatch", "not_found", ...). `certs <command> -h`
// prints a command's flags; flags may follow the arguments.
//
// A local store is --store (a directory, default $XDG_DATA_HOME/certs
// else ~/.local/share/certs, the library's default, or a postgres:// URL),
// sealed with the keys of --encryption-key-file. ACME settings come from
// flags or CERTS_* variables: --directory (Let's Encrypt by default),
// --staging, --email, --agree-tos (required to talk to the CA), --ca-roots
// (roots of a private CA's API), --dns-resolver, --profile. obtain and
// renew answer HTTP-01 on --http-addr (TLS-ALPN-01 on --tls-addr) while
// they run; without them, a `certs serve` on the same store answers.
// Hostnames the CLI adds get the --tenant label ("default"), so that the
// API of `certs serve` shows them.
//
// Remote mode: --server URL (CERTS_SERVER) with the token of
// CERTS_API_TOKEN works through the API of `certs serve --api-addr`.
//
// # Exit codes
//
//	0    success
//	1    failure (the CA, the server or the store could not be reached, I/O, ...)
//	2    usage: bad command line or flag value, or a missing setting
//	     (--agree-tos, a DNS provider, CERTS_API_TOKEN)
//	3    not found: no such hostname, or no certificate of the asked source
//	4    validation failed: an upload (import, validate), a challenge the CA
//	     could not validate (obtain, renew), DNS not as required (check)
//	5    rate limited by the CA
//	6    conflict: the name is held by another hostname or tenant, in use,
//	     or already revoked
//	7    the server refused the API token (--server)
//	130  interrupted (SIGINT, SIGTERM)
//
// # certs serve
//
// One process serves HTTPS for every hostname of the store (custom first,
// then ACME; --upstream proxies the requests to your application), answers
// HTTP-01 and redirects to https on --http-addr, obtains the certificates
// of --name and renews (Manager.Start), and optionally serves the
// certificate API (--api-addr, bearer token CERTS_API_TOKEN with the
// read, write and keys scopes of --tenant), Prometheus metrics
// (--metrics-addr) and certbot-style files with a deploy command
// (--deploy-dir, --deploy-hook). It delivers the webhooks tenants
// subscribe to through the API (POST /webhooks; --webhooks, on by
// default, and --webhook-allow-http for http receivers), pending ones kept
// in the store across restarts. SIGHUP reloads the store; SIGINT or
// SIGTERM shut down gracefully and exit 0.
package main
