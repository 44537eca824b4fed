// Package api is the certificate API of a platform, over a certs.Manager:
// an http.Handler (NewHandler), its OpenAPI 3.1 document (OpenAPI, served
// at GET /openapi.yaml), and a typed Go client (Client).
//
// The resource is the hostname, with the field names of the hosting
// platforms' certificate APIs (status, configured, acme_requested,
// has_custom_certificate, certificates[] with source, status, issuer,
// expires_at and issued, dns_requirements, validation, validation_errors,
// rate_limited_until, dns_provider). The endpoints, and the scope each
// needs:
//
//	GET    /certificates                          read   list (filter, label, status, sort, order, cursor, limit; total_count)
//	POST   /certificates/acme                     write  add a hostname and request an ACME certificate (201 pending_validation at once)
//	POST   /certificates/custom                   write  add a hostname with a custom certificate, or replace it
//	POST   /certificates/validate                 write  validate an upload without storing it
//	GET    /certificates/{hostname}               read   the hostname (a wildcard as %2A.example.com)
//	DELETE /certificates/{hostname}               write  delete it and all its certificates (204; 404 if unknown)
//	POST   /certificates/{hostname}/check         write  check its DNS now, with the records found (dns_records)
//	GET    /certificates/{hostname}/status        read   the status of the certificate served
//	POST   /certificates/{hostname}/renew         write  renew the ACME certificate now, with options
//	POST   /certificates/{hostname}/revoke        write  revoke it, with an RFC 5280 reason
//	PATCH  /certificates/{hostname}/acme          write  switch automatic renewal on or off
//	DELETE /certificates/{hostname}/acme          write  delete the ACME certificates, stop requesting them
//	DELETE /certificates/{hostname}/custom        write  delete the custom certificate
//	PUT    /certificates/{hostname}/metadata      write  replace the display name and labels
//	GET    /certificates/{hostname}/download      read   PEM full chain, chain or leaf (JSON on Accept)
//	GET    /certificates/{hostname}/private_key   keys   the PEM private key
//	GET    /explain/{server_name}                 read   which hostname and certificate a handshake gets, and why
//	POST   /webhooks                              write  subscribe a URL to the tenant's events (201; the signing secret, shown once)
//	GET    /webhooks                              read   the tenant's subscriptions (never their secrets)
//	GET    /webhooks/{id}                         read   one subscription
//	DELETE /webhooks/{id}                         write  delete it, its pending deliveries and history (204)
//	GET    /webhooks/{id}/deliveries              read   its deliveries, newest first, each attempt (status, error, time, next attempt)
//	POST   /webhooks/{id}/deliveries/{delivery}/redeliver  write  attempt a failed delivery again
//	GET    /openapi.yaml                          -      the OpenAPI document
//
// The /webhooks endpoints need Config.Webhooks (a webhook.Dispatcher on
// the same Manager); without it they answer 404 webhooks_disabled. A
// subscription receives only its tenant's events; another tenant's
// subscription is answered 404 webhook_not_found.
//
// # Tenants
//
// Every hostname belongs to a tenant (an app, a project, an account),
// kept in its TenantLabel. Config.Authorize says who the caller is: a
// Principal with a tenant and scopes (BearerTokens is one such function).
// A tenant lists and reads only its own hostnames; another tenant's is
// answered like one that does not exist (404), and adding it is a 409
// hostname_taken. Labels whose key starts with ReservedLabelPrefix cannot
// be set, changed or filtered on through the API. Listing one tenant's
// hostnames is pushed down to the Store as a label filter.
//
// # Errors
//
// Every error is an RFC 9457 problem (application/problem+json, see
// Problem): a stable code (problems.md), a status (400, 401, 403, 404,
// 405, 406, 409, 412, 413, 415, 422, 428, 429 with Retry-After), a detail
// for the platform's end user, and the field at fault. A user's mistake is
// never a 500; an internal error is logged with its cause and answered
// without it.
//
// # Secrets
//
// Private keys leave only through the private_key endpoint, with the keys
// scope. DNS provider credentials go in with a request and never come
// out: they are kept sealed by the Manager. A webhook's signing secret is
// in the answer to its creation only. None of them, nor a token, is ever
// logged; request bodies are never logged at all.
package api
