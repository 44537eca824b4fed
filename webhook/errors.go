package webhook

import "errors"

// The errors of the webhook package. Each message says what to fix; wrap
// checks use errors.Is.
var (
	// ErrInvalidConfig is a Config that New refuses.
	ErrInvalidConfig = errors.New("webhook: invalid config")
	// ErrInvalidSubscription is a subscription AddSubscription refuses
	// (bad URL, missing tenant, unknown event type, short secret).
	ErrInvalidSubscription = errors.New("webhook: invalid subscription")
	// ErrSubscriptionExists is an AddSubscription with the ID of a
	// subscription already held.
	ErrSubscriptionExists = errors.New("webhook: a subscription with this ID exists; remove it first or leave ID empty for a new one")
	// ErrNotFound is a subscription or delivery the Dispatcher does not
	// hold.
	ErrNotFound = errors.New("webhook: not found")
	// ErrNotFailed is a Redeliver of a delivery that has not failed.
	ErrNotFailed = errors.New("webhook: only a failed delivery can be redelivered; a pending one is retried on its own")
	// ErrKeyMaterial is a payload that holds a PEM private key; it is never
	// sent. It means a bug in what the Manager put in an Event.
	ErrKeyMaterial = errors.New("webhook: the payload holds private key material and is not sent")
	// ErrNoSignature is a request without a well-formed X-Certs-Signature
	// header ("t=<unix seconds>,v1=<hex HMAC-SHA256>").
	ErrNoSignature = errors.New("webhook: no valid X-Certs-Signature header; expected t=<unix seconds>,v1=<hex>")
	// ErrBadSignature is a signature that does not match the body: the
	// secret is not the subscription's, or the body was altered (verify
	// the raw body, before any JSON decoding).
	ErrBadSignature = errors.New("webhook: the signature does not match the body; check the subscription's secret and verify the raw request body")
	// ErrStaleSignature is a signature whose timestamp is outside the
	// tolerance: a replayed request, or a clock that is off (sync it with
	// NTP).
	ErrStaleSignature = errors.New("webhook: the signature timestamp is outside the tolerance; the request may be replayed, or a clock is off")
	// ErrBodyTooLarge is a request body above MaxBodyBytes.
	ErrBodyTooLarge = errors.New("webhook: the request body is larger than webhook.MaxBodyBytes")
)

// ErrClosed is returned by Run and DeliverDue once Close was called.
var ErrClosed = errors.New("webhook: the Dispatcher is closed")
