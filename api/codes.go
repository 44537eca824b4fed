package api

import (
	"net/http"
	"slices"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/custom"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/validate"
)

// The problem codes (Problem.Code). problems.md describes each; they never
// change meaning.
const (
	codeUnauthenticated     = "unauthenticated"
	codeForbidden           = "forbidden"
	codeNoSuchEndpoint      = "no_such_endpoint"
	codeMethodNotAllowed    = "method_not_allowed"
	codeUnsupportedMedia    = "unsupported_media_type"
	codeNotAcceptable       = "not_acceptable"
	codeRequestTooLarge     = "request_too_large"
	codeInvalidJSON         = "invalid_json"
	codeUnknownField        = "unknown_field"
	codeInvalidType         = "invalid_type"
	codeMissingField        = "missing_field"
	codeInvalidField        = "invalid_field"
	codeInvalidQuery        = "invalid_query"
	codeInvalidCursor       = "invalid_cursor"
	codeInvalidHostname     = "invalid_hostname"
	codeInvalidLabel        = "invalid_label"
	codeReservedLabel       = "reserved_label"
	codeInvalidKeyType      = "invalid_key_type"
	codeInvalidChallenge    = "invalid_challenge"
	codeInvalidReason       = "invalid_reason"
	codeInvalidDNSOptions   = "invalid_dns_provider_options"
	codeNotFound            = "not_found"
	codeNotServed           = "not_served"
	codeHostnameTaken       = "hostname_taken"
	codeNameConflict        = "name_conflict"
	codeInUse               = "in_use"
	codeAlreadyRevoked      = "already_revoked"
	codeRecordDamaged       = "record_damaged"
	codeACMEUnavailable     = "acme_unavailable"
	codeNoDNSProvider       = "no_dns_provider"
	codeDNSProviderByName   = "dns_provider_by_name_unavailable"
	codeInvalidCertificate  = "invalid_certificate"
	codeHostnameMismatch    = "hostname_mismatch"
	codeKeyMismatch         = "key_mismatch"
	codeExpired             = "expired"
	codeNotYetValid         = "not_yet_valid"
	codeIncompleteChain     = "incomplete_chain"
	codeWeakKey             = "weak_key"
	codeNotLeaf             = "not_leaf"
	codeNoSAN               = "no_san"
	codeNoServerAuth        = "no_server_auth"
	codeWeakSignature       = "weak_signature"
	codeChainTooLong        = "chain_too_long"
	codeInvalidPEM          = "invalid_pem"
	codeUnsupportedFormat   = "unsupported_format"
	codeEncryptedKey        = "encrypted_key"
	codeBadPassword         = "bad_password"
	codeNoCertInUpload      = "no_certificate_in_upload"
	codeNoPrivateKey        = "no_private_key"
	codeUnrelatedCert       = "unrelated_certificate"
	codeUnsupportedKeyType  = "unsupported_key_type"
	codeUploadTooLarge      = "upload_too_large"
	codeTooManyCerts        = "too_many_certificates"
	codeTooManyKeys         = "too_many_keys"
	codeWildcardNeedsDNS01  = "wildcard_needs_dns01"
	codeCAAForbidden        = "caa_forbidden"
	codeNotPointingHere     = "not_pointing_here"
	codeValidationFailed    = "validation_failed"
	codeValidationTimeout   = "validation_timeout"
	codeDNSProviderInvalid  = "dns_provider_invalid"
	codeNoCertificate       = "no_certificate"
	codeRateLimited         = "rate_limited"
	codeInternal            = "internal_error"
	codeDNSUnavailable      = "dns_unavailable"
	codeTimeout             = "timeout"
	codeServiceUnavailable  = "service_unavailable"
	codeAuthorizationFailed = "authorization_failed"
	codeWebhooksDisabled    = "webhooks_disabled"
	codeWebhookNotFound     = "webhook_not_found"
	codeDeliveryNotFound    = "delivery_not_found"
	codeDeliveryNotFailed   = "delivery_not_failed"
)

type codeInfo struct {
	status int
	title  string
}

// problemCodes gives each code its status and title.
var problemCodes = map[string]codeInfo{
	codeUnauthenticated:     {http.StatusUnauthorized, "Authentication required"},
	codeAuthorizationFailed: {http.StatusUnauthorized, "Credentials could not be checked"},
	codeForbidden:           {http.StatusForbidden, "Not allowed"},
	codeNoSuchEndpoint:      {http.StatusNotFound, "No such endpoint"},
	codeMethodNotAllowed:    {http.StatusMethodNotAllowed, "Method not allowed"},
	codeNotAcceptable:       {http.StatusNotAcceptable, "Representation not available"},
	codeUnsupportedMedia:    {http.StatusUnsupportedMediaType, "Send JSON"},
	codeRequestTooLarge:     {http.StatusRequestEntityTooLarge, "Request body too large"},
	codeInvalidJSON:         {http.StatusBadRequest, "Malformed JSON"},
	codeUnknownField:        {http.StatusBadRequest, "Unknown field"},
	codeInvalidType:         {http.StatusBadRequest, "Field of the wrong type"},
	codeMissingField:        {http.StatusBadRequest, "Missing field"},
	codeInvalidField:        {http.StatusBadRequest, "Invalid field"},
	codeInvalidQuery:        {http.StatusBadRequest, "Invalid query parameter"},
	codeInvalidCursor:       {http.StatusBadRequest, "Invalid cursor"},
	codeInvalidHostname:     {http.StatusBadRequest, "Invalid hostname"},
	codeInvalidLabel:        {http.StatusBadRequest, "Invalid label"},
	codeReservedLabel:       {http.StatusBadRequest, "Reserved label"},
	codeInvalidKeyType:      {http.StatusBadRequest, "Invalid key type"},
	codeInvalidChallenge:    {http.StatusBadRequest, "Invalid challenge type"},
	codeInvalidReason:       {http.StatusBadRequest, "Invalid revocation reason"},
	codeInvalidDNSOptions:   {http.StatusBadRequest, "Invalid DNS provider options"},
	codeNotFound:            {http.StatusNotFound, "Hostname not found"},
	codeNotServed:           {http.StatusNotFound, "Name not served"},
	codeHostnameTaken:       {http.StatusConflict, "Hostname taken"},
	codeNameConflict:        {http.StatusConflict, "Name held by another hostname"},
	codeInUse:               {http.StatusConflict, "Certificate in use"},
	codeAlreadyRevoked:      {http.StatusConflict, "Certificate already revoked"},
	codeRecordDamaged:       {http.StatusConflict, "Stored record damaged"},
	codeACMEUnavailable:     {http.StatusPreconditionFailed, "ACME certificates unavailable"},
	codeNoDNSProvider:       {http.StatusPreconditionFailed, "No DNS provider"},
	codeDNSProviderByName:   {http.StatusPreconditionFailed, "DNS providers by name unavailable"},
	codeInvalidCertificate:  {http.StatusUnprocessableEntity, "Invalid certificate"},
	codeHostnameMismatch:    {http.StatusUnprocessableEntity, "Certificate does not cover the hostname"},
	codeKeyMismatch:         {http.StatusUnprocessableEntity, "Private key does not match"},
	codeExpired:             {http.StatusUnprocessableEntity, "Certificate expired"},
	codeNotYetValid:         {http.StatusUnprocessableEntity, "Certificate not yet valid"},
	codeIncompleteChain:     {http.StatusUnprocessableEntity, "Chain incomplete or untrusted"},
	codeWeakKey:             {http.StatusUnprocessableEntity, "Key too weak"},
	codeNotLeaf:             {http.StatusUnprocessableEntity, "CA certificate given as the leaf"},
	codeNoSAN:               {http.StatusUnprocessableEntity, "No subject alternative name"},
	codeNoServerAuth:        {http.StatusUnprocessableEntity, "Not a TLS server certificate"},
	codeWeakSignature:       {http.StatusUnprocessableEntity, "Weak signature"},
	codeChainTooLong:        {http.StatusUnprocessableEntity, "Chain too long"},
	codeInvalidPEM:          {http.StatusUnprocessableEntity, "Invalid PEM"},
	codeUnsupportedFormat:   {http.StatusUnprocessableEntity, "Unsupported format"},
	codeEncryptedKey:        {http.StatusUnprocessableEntity, "Encrypted private key"},
	codeBadPassword:         {http.StatusUnprocessableEntity, "Wrong PKCS#12 password"},
	codeNoCertInUpload:      {http.StatusUnprocessableEntity, "No certificate in the upload"},
	codeNoPrivateKey:        {http.StatusUnprocessableEntity, "No private key in the upload"},
	codeUnrelatedCert:       {http.StatusUnprocessableEntity, "Unrelated certificate in the chain"},
	codeUnsupportedKeyType:  {http.StatusUnprocessableEntity, "Unsupported key type"},
	codeUploadTooLarge:      {http.StatusUnprocessableEntity, "Upload too large"},
	codeTooManyCerts:        {http.StatusUnprocessableEntity, "Too many certificates"},
	codeTooManyKeys:         {http.StatusUnprocessableEntity, "Too many private keys"},
	codeWildcardNeedsDNS01:  {http.StatusUnprocessableEntity, "Wildcards need dns-01"},
	codeCAAForbidden:        {http.StatusUnprocessableEntity, "CAA forbids the CA"},
	codeNotPointingHere:     {http.StatusUnprocessableEntity, "Name does not point here"},
	codeValidationFailed:    {http.StatusUnprocessableEntity, "Challenge validation failed"},
	codeValidationTimeout:   {http.StatusUnprocessableEntity, "Challenge validation timed out"},
	codeDNSProviderInvalid:  {http.StatusUnprocessableEntity, "DNS provider refused its settings"},
	codeNoCertificate:       {http.StatusPreconditionRequired, "No certificate yet"},
	codeRateLimited:         {http.StatusTooManyRequests, "Rate limited by the CA"},
	codeInternal:            {http.StatusInternalServerError, "Internal error"},
	codeDNSUnavailable:      {http.StatusServiceUnavailable, "DNS lookups unavailable"},
	codeServiceUnavailable:  {http.StatusServiceUnavailable, "Service unavailable"},
	codeTimeout:             {http.StatusGatewayTimeout, "Timed out"},
	codeWebhooksDisabled:    {http.StatusNotFound, "Webhooks not enabled"},
	codeWebhookNotFound:     {http.StatusNotFound, "Webhook subscription not found"},
	codeDeliveryNotFound:    {http.StatusNotFound, "Webhook delivery not found"},
	codeDeliveryNotFailed:   {http.StatusConflict, "Delivery has not failed"},
}

// sentinels are the errors.Is targets of Problem codes.
var sentinels = map[string]error{
	codeInvalidHostname:    certs.ErrInvalidHostname,
	codeNotFound:           certs.ErrNotFound,
	codeNotServed:          certs.ErrUnknownHost,
	codeNameConflict:       certs.ErrNameConflict,
	codeInUse:              certs.ErrInUse,
	codeAlreadyRevoked:     certs.ErrAlreadyRevoked,
	codeRecordDamaged:      certs.ErrDamaged,
	codeACMEUnavailable:    certs.ErrNoIssuer,
	codeNoDNSProvider:      certs.ErrNoDNSProvider,
	codeDNSProviderByName:  certs.ErrNoDNSProviderFactory,
	codeInvalidKeyType:     certs.ErrInvalidKeyType,
	codeInvalidChallenge:   certs.ErrInvalidChallenge,
	codeInvalidReason:      certs.ErrInvalidReason,
	codeInvalidDNSOptions:  certs.ErrInvalidDNSProviderOptions,
	codeHostnameMismatch:   certs.ErrHostnameMismatch,
	codeKeyMismatch:        certs.ErrKeyMismatch,
	codeExpired:            certs.ErrExpired,
	codeNotYetValid:        certs.ErrNotYetValid,
	codeIncompleteChain:    certs.ErrIncompleteChain,
	codeWeakKey:            certs.ErrWeakKey,
	codeNotLeaf:            certs.ErrNotLeaf,
	codeNoSAN:              validate.ErrNoSAN,
	codeNoServerAuth:       validate.ErrNoServerAuth,
	codeWeakSignature:      validate.ErrWeakSignature,
	codeInvalidPEM:         certs.ErrInvalidPEM,
	codeUnsupportedFormat:  certs.ErrUnsupportedFormat,
	codeEncryptedKey:       certs.ErrEncryptedKey,
	codeBadPassword:        certs.ErrBadPassword,
	codeNoCertInUpload:     certs.ErrNoCertificate,
	codeNoPrivateKey:       certs.ErrNoPrivateKey,
	codeUnrelatedCert:      certs.ErrUnrelatedCertificate,
	codeUnsupportedKeyType: certs.ErrUnsupportedKeyType,
	codeUploadTooLarge:     custom.ErrInputTooLarge,
	codeTooManyCerts:       custom.ErrTooManyCertificates,
	codeTooManyKeys:        custom.ErrTooManyKeys,
	codeWildcardNeedsDNS01: certs.ErrWildcardNeedsDNS01,
	codeCAAForbidden:       certs.ErrCAAForbidden,
	codeNotPointingHere:    certs.ErrNotPointingHere,
	codeValidationFailed:   certs.ErrValidationFailed,
	codeValidationTimeout:  certs.ErrValidationTimeout,
	codeNoCertificate:      certs.ErrNoCertificateForSource,
	codeRateLimited:        certs.ErrRateLimited,
	codeInvalidCursor:      store.ErrInvalidCursor,
	codeDNSUnavailable:     certs.ErrNoResolvers,
	codeUnauthenticated:    ErrUnauthenticated,
	codeForbidden:          ErrForbidden,
}

// ProblemCodes returns every problem code the API answers with, sorted.
func ProblemCodes() []string {
	codes := make([]string, 0, len(problemCodes))
	for code := range problemCodes {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}
