package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/webhook"
)

// CreateWebhook is the body of POST /webhooks: a receiver of the caller
// tenant's events.
type CreateWebhook struct {
	// URL receives the signed POSTs (https).
	URL string `json:"url"`
	// Events are the event types to receive ("imported", "renewed", ...);
	// empty means all of them.
	Events []string `json:"events,omitempty"`
}

// Webhook is a webhook subscription as the API shows it: never with its
// secret, which only the answer to its creation carries.
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
}

// CreatedWebhook is the answer to POST /webhooks: the subscription and
// its signing secret, shown this once (verify deliveries with
// webhook.VerifyRequest and it).
type CreatedWebhook struct {
	Webhook
	// Secret signs the deliveries. It is never shown again.
	Secret string `json:"secret"`
}

// WebhookList is the answer to GET /webhooks: the caller tenant's
// subscriptions, by ID.
type WebhookList struct {
	Webhooks []Webhook `json:"webhooks"`
}

// WebhookAttempt is one POST of a delivery.
type WebhookAttempt struct {
	At time.Time `json:"at"`
	// StatusCode is the receiver's HTTP status; null when it gave none
	// (connection refused, timeout).
	StatusCode *int `json:"status_code"`
	// Error says why the attempt failed; null for a success.
	Error *string `json:"error"`
	// DurationMS is how long the attempt took, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
}

// WebhookDelivery is one event for one subscription and each attempt to
// deliver it.
type WebhookDelivery struct {
	ID        string    `json:"id"`
	EventType string    `json:"event_type"`
	Hostname  string    `json:"hostname"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	// AttemptCount counts every attempt; Attempts are the latest ones.
	AttemptCount int              `json:"attempt_count"`
	Attempts     []WebhookAttempt `json:"attempts"`
	// NextAttemptAt is when a pending delivery is tried again.
	NextAttemptAt *time.Time `json:"next_attempt_at"`
	// FinishedAt is when it was delivered or given up.
	FinishedAt *time.Time `json:"finished_at"`
}

// WebhookDeliveryPage is the answer to GET /webhooks/{id}/deliveries,
// newest first.
type WebhookDeliveryPage struct {
	Deliveries []WebhookDelivery `json:"deliveries"`
	// NextCursor continues the listing (query parameter cursor); null on
	// the last page.
	NextCursor *string `json:"next_cursor"`
}

// hooks returns the Dispatcher, or the webhooks_disabled problem.
func (h *handler) hooks() (*webhook.Dispatcher, error) {
	if h.webhooks == nil {
		return nil, problem(codeWebhooksDisabled, "webhooks are not enabled on this service")
	}
	return h.webhooks, nil
}

// createWebhook answers POST /webhooks.
func (h *handler) createWebhook(w http.ResponseWriter, r *http.Request, p Principal) error {
	d, err := h.hooks()
	if err != nil {
		return err
	}
	if p.Tenant == webhook.AllTenants {
		return problem(codeForbidden, "these credentials' tenant cannot subscribe to webhooks")
	}
	var req CreateWebhook
	if err := h.decode(w, r, &req, false); err != nil {
		return err
	}
	if req.URL == "" {
		return fieldProblem(codeMissingField, "url", "url is required: where the deliveries are POSTed, such as https://hooks.example.com/certs")
	}
	events := make([]certs.EventType, 0, len(req.Events))
	for _, e := range req.Events {
		events = append(events, certs.EventType(e))
	}
	sub, err := d.AddSubscription(r.Context(), webhook.Subscription{Tenant: p.Tenant, URL: req.URL, Events: events})
	if errors.Is(err, webhook.ErrInvalidSubscription) {
		field := "url"
		if strings.Contains(err.Error(), "event type") {
			field = "events"
		}
		return fieldProblem(codeInvalidField, field, userMessage(err))
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", mountPrefix(r)+"/webhooks/"+url.PathEscape(sub.ID))
	return writeJSON(w, http.StatusCreated, CreatedWebhook{Webhook: toWebhook(sub), Secret: sub.Secret.Reveal()})
}

// listWebhooks answers GET /webhooks.
func (h *handler) listWebhooks(w http.ResponseWriter, _ *http.Request, p Principal) error {
	d, err := h.hooks()
	if err != nil {
		return err
	}
	out := WebhookList{Webhooks: []Webhook{}}
	for _, s := range d.Subscriptions(p.Tenant) {
		out.Webhooks = append(out.Webhooks, toWebhook(&s))
	}
	return writeJSON(w, http.StatusOK, out)
}

// ownedWebhook returns the caller's subscription {id}, or
// webhook_not_found (for another tenant's as well).
func (h *handler) ownedWebhook(r *http.Request, p Principal) (*webhook.Dispatcher, *webhook.Subscription, error) {
	d, err := h.hooks()
	if err != nil {
		return nil, nil, err
	}
	id := r.PathValue("id")
	s, err := d.Subscription(id)
	if errors.Is(err, webhook.ErrNotFound) || (err == nil && s.Tenant != p.Tenant) {
		return nil, nil, fieldProblem(codeWebhookNotFound, "id", fmt.Sprintf("there is no webhook subscription %.80q; list them with GET /webhooks", id))
	}
	return d, s, err
}

// getWebhook answers GET /webhooks/{id}.
func (h *handler) getWebhook(w http.ResponseWriter, r *http.Request, p Principal) error {
	_, s, err := h.ownedWebhook(r, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toWebhook(s))
}

// deleteWebhook answers DELETE /webhooks/{id}: the subscription, its
// pending deliveries and its history are deleted.
func (h *handler) deleteWebhook(w http.ResponseWriter, r *http.Request, p Principal) error {
	d, s, err := h.ownedWebhook(r, p)
	if err != nil {
		return err
	}
	if err := d.RemoveSubscription(r.Context(), s.ID); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listDeliveries answers GET /webhooks/{id}/deliveries.
func (h *handler) listDeliveries(w http.ResponseWriter, r *http.Request, p Principal) error {
	d, s, err := h.ownedWebhook(r, p)
	if err != nil {
		return err
	}
	opts, err := parseDeliveryQuery(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := d.Deliveries(r.Context(), s.ID, opts)
	if errors.Is(err, webhook.ErrNotFound) {
		return fieldProblem(codeWebhookNotFound, "id", "the webhook subscription was deleted meanwhile")
	}
	if err != nil {
		return err
	}
	out := WebhookDeliveryPage{Deliveries: make([]WebhookDelivery, 0, len(page.Deliveries))}
	for _, dl := range page.Deliveries {
		out.Deliveries = append(out.Deliveries, toDelivery(dl))
	}
	if page.NextCursor != "" {
		out.NextCursor = &page.NextCursor
	}
	return writeJSON(w, http.StatusOK, out)
}

// parseDeliveryQuery parses the query of GET /webhooks/{id}/deliveries.
func parseDeliveryQuery(v url.Values) (webhook.ListOptions, error) {
	var opts webhook.ListOptions
	for key := range v {
		if !slices.Contains([]string{"status", "hostname", "cursor", "limit"}, key) {
			return opts, fieldProblem(codeInvalidQuery, key, fmt.Sprintf("%.40q is not a query parameter of this endpoint", key))
		}
	}
	switch st := webhook.Status(v.Get("status")); st {
	case "", webhook.StatusPending, webhook.StatusDelivered, webhook.StatusFailed:
		opts.Status = st
	default:
		return opts, fieldProblem(codeInvalidQuery, "status", "status must be pending, delivered or failed")
	}
	if hn := v.Get("hostname"); hn != "" {
		name, err := certs.NormalizeHostname(hn)
		if err != nil {
			return opts, fieldProblem(codeInvalidQuery, "hostname", userMessage(err))
		}
		opts.Hostname = name
	}
	if c := v.Get("cursor"); c != "" {
		if _, err := strconv.ParseUint(c, 10, 64); err != nil {
			return opts, fieldProblem(codeInvalidCursor, "cursor", "the cursor is not one this listing gave; pass next_cursor of the previous page, or none to start over")
		}
		opts.Cursor = c
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return opts, fieldProblem(codeInvalidQuery, "limit", "limit must be an integer from 1 to 500")
		}
		opts.Limit = n
	}
	return opts, nil
}

// redeliver answers POST /webhooks/{id}/deliveries/{delivery}/redeliver:
// a failed delivery is attempted again at once.
func (h *handler) redeliver(w http.ResponseWriter, r *http.Request, p Principal) error {
	d, s, err := h.ownedWebhook(r, p)
	if err != nil {
		return err
	}
	id := r.PathValue("delivery")
	notFound := fieldProblem(codeDeliveryNotFound, "delivery", fmt.Sprintf("webhook subscription %s has no delivery %.80q; list them with GET /webhooks/%s/deliveries", s.ID, id, s.ID))
	if rest, ok := strings.CutPrefix(id, s.ID+"."); !ok || strings.Contains(rest, ".") {
		return notFound
	}
	err = d.Redeliver(r.Context(), id)
	switch {
	case errors.Is(err, webhook.ErrNotFound):
		return notFound
	case errors.Is(err, webhook.ErrNotFailed):
		return problem(codeDeliveryNotFailed, "only a failed delivery can be redelivered; a pending one is retried on its own, a delivered one arrived")
	case err != nil:
		return err
	}
	dl, err := d.Delivery(r.Context(), id)
	if errors.Is(err, webhook.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDelivery(*dl))
}

// toWebhook is the API form of s, without its secret.
func toWebhook(s *webhook.Subscription) Webhook {
	out := Webhook{ID: s.ID, URL: s.URL, Events: make([]string, 0, len(s.Events)), CreatedAt: s.CreatedAt.UTC()}
	for _, e := range s.Events {
		out.Events = append(out.Events, string(e))
	}
	return out
}

// toDelivery is the API form of dl.
func toDelivery(dl webhook.Delivery) WebhookDelivery {
	out := WebhookDelivery{ID: dl.ID, EventType: string(dl.EventType), Hostname: dl.Hostname, Status: string(dl.Status),
		CreatedAt: dl.CreatedAt.UTC(), AttemptCount: dl.AttemptCount, Attempts: make([]WebhookAttempt, 0, len(dl.Attempts)),
		NextAttemptAt: utcPtr(dl.NextAttemptAt), FinishedAt: utcPtr(dl.FinishedAt)}
	for _, a := range dl.Attempts {
		wa := WebhookAttempt{At: a.At.UTC(), DurationMS: a.Duration.Milliseconds()}
		if a.StatusCode != 0 {
			code := a.StatusCode
			wa.StatusCode = &code
		}
		if a.Error != "" {
			msg := a.Error
			wa.Error = &msg
		}
		out.Attempts = append(out.Attempts, wa)
	}
	return out
}

// utcPtr is t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
