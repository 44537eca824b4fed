package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/store"
)

// TenantLabel is the hostname label (certs.Host.Labels, set with
// Manager.SetMetadata) that names a hostname's tenant. The platform API
// stores it there.
const TenantLabel = "certs.tenant"

// AllTenants as a Subscription's Tenant receives the events of every
// hostname, whatever its tenant: a subscription of the platform itself.
const AllTenants = "*"

// Subscription is a receiver of webhooks: the events of one tenant's
// hostnames, of the types it asked for, POSTed to its URL and signed with
// its secret. It prints, logs and marshals with the secret redacted.
type Subscription struct {
	// ID names the subscription: 1 to 64 of [A-Za-z0-9_-]. Empty asks
	// AddSubscription for a new one.
	ID string `json:"id"`
	// Tenant is the tenant whose hostnames' events it receives (their
	// TenantLabel), or AllTenants. It must be set.
	Tenant string `json:"tenant"`
	// URL receives the POSTs: https, or http with Config.AllowHTTP; no
	// user:password part (the signature authenticates the sender).
	URL string `json:"url"`
	// Events are the event types it receives; empty means all of them.
	Events []certs.EventType `json:"events,omitempty"`
	// Secret signs the deliveries (see Sign, Verify). Empty asks
	// AddSubscription for a new one; a given one has at least 16 bytes.
	Secret Secret `json:"secret"`
	// CreatedAt is set by AddSubscription.
	CreatedAt time.Time `json:"created_at"`
}

// knownEvents are the event types a subscription may ask for.
func knownEvents() []certs.EventType {
	return []certs.EventType{
		certs.EventImported, certs.EventRemoved, certs.EventExpiring, certs.EventIssued,
		certs.EventRenewed, certs.EventRenewalFailed, certs.EventObtainFailed,
		certs.EventRevoked, certs.EventOwnership, certs.EventDamaged,
	}
}

// wants reports whether s receives an event of type typ for a hostname of
// tenant.
func (s *Subscription) wants(typ certs.EventType, tenant string) bool {
	if s.Tenant != AllTenants && s.Tenant != tenant {
		return false
	}
	return len(s.Events) == 0 || slices.Contains(s.Events, typ)
}

// check validates s, filling an empty ID and Secret.
func (s *Subscription) check(allowHTTP bool) error {
	if err := s.checkURL(allowHTTP); err != nil {
		return err
	}
	switch {
	case s.Tenant == "":
		return fmt.Errorf("%w: set Tenant to the tenant whose hostnames it receives, or to webhook.AllTenants", ErrInvalidSubscription)
	case len(s.Tenant) > 256:
		return fmt.Errorf("%w: Tenant is longer than 256 bytes", ErrInvalidSubscription)
	case s.Secret != "" && len(s.Secret) < minSecretLen:
		return fmt.Errorf("%w: the secret is shorter than %d bytes; leave it empty for a generated one", ErrInvalidSubscription, minSecretLen)
	}
	for _, e := range s.Events {
		if !slices.Contains(knownEvents(), e) {
			return fmt.Errorf("%w: unknown event type %q; use one of %v", ErrInvalidSubscription, e, knownEvents())
		}
	}
	s.Events = slices.Clone(s.Events)
	slices.Sort(s.Events)
	s.Events = slices.Compact(s.Events)
	if err := s.fill(); err != nil {
		return err
	}
	if !validID(s.ID) {
		return fmt.Errorf("%w: ID %q must be 1 to 64 of [A-Za-z0-9_-]", ErrInvalidSubscription, s.ID)
	}
	return nil
}

func (s *Subscription) checkURL(allowHTTP bool) error {
	u, err := url.Parse(s.URL)
	switch {
	case err != nil || u.Host == "" || !u.IsAbs():
		return fmt.Errorf("%w: URL must be absolute, such as https://hooks.example.com/certs", ErrInvalidSubscription)
	case u.User != nil:
		return fmt.Errorf("%w: remove the user:password part of the URL; receivers authenticate deliveries by their signature", ErrInvalidSubscription)
	case u.Scheme == "https", u.Scheme == "http" && allowHTTP:
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("%w: URL must use https (set Config.AllowHTTP for http receivers on a private network)", ErrInvalidSubscription)
	}
	return fmt.Errorf("%w: URL scheme %q is not https", ErrInvalidSubscription, u.Scheme)
}

func (s *Subscription) fill() error {
	if s.ID == "" {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("webhook: new subscription ID: %w", err)
		}
		s.ID = "wh_" + hex.EncodeToString(b)
	}
	if s.Secret == "" {
		sec, err := NewSecret()
		if err != nil {
			return err
		}
		s.Secret = sec
	}
	return nil
}

func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// subscriptionsKey is the blob that holds every subscription.
const subscriptionsKey = "webhooks/subscriptions"

// storedSubscriptions is the stored form of the subscriptions, apart from
// the API type whose JSON redacts the secret.
type storedSubscriptions struct {
	V    int                  `json:"v"`
	Subs []storedSubscription `json:"subscriptions"`
}

type storedSubscription struct {
	ID        string            `json:"id"`
	Tenant    string            `json:"tenant"`
	URL       string            `json:"url"`
	Events    []certs.EventType `json:"events,omitempty"`
	Secret    string            `json:"secret"`
	CreatedAt time.Time         `json:"created_at"`
	// Outbox names the subscription's outbox ("<id>.<random>"): a new
	// subscription with the ID of a removed one never sees its leftovers.
	Outbox string `json:"outbox"`
}

func (s storedSubscription) subscription() Subscription {
	return Subscription{ID: s.ID, Tenant: s.Tenant, URL: s.URL, Events: s.Events,
		Secret: Secret(s.Secret), CreatedAt: s.CreatedAt}
}

func storeSubscription(s Subscription, outbox string) storedSubscription {
	return storedSubscription{ID: s.ID, Tenant: s.Tenant, URL: s.URL, Events: s.Events,
		Secret: s.Secret.Reveal(), CreatedAt: s.CreatedAt, Outbox: outbox}
}

// loadSubscriptions reads the stored subscriptions; none is no error.
func loadSubscriptions(ctx context.Context, st store.Store) ([]storedSubscription, error) {
	raw, err := st.GetBlob(ctx, subscriptionsKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("webhook: read the subscriptions: %w", err)
	}
	var ss storedSubscriptions
	if err := json.Unmarshal(raw, &ss); err != nil {
		return nil, fmt.Errorf("webhook: the stored subscriptions (blob %s) are damaged: %w", subscriptionsKey, err)
	}
	if ss.V != 1 {
		return nil, fmt.Errorf("webhook: the stored subscriptions have version %d; this program reads version 1, upgrade it", ss.V)
	}
	return ss.Subs, nil
}

// saveSubscriptions writes subs atomically.
func saveSubscriptions(ctx context.Context, st store.Store, subs []storedSubscription) error {
	raw, err := json.Marshal(storedSubscriptions{V: 1, Subs: subs})
	if err == nil {
		err = st.PutBlob(ctx, subscriptionsKey, raw)
	}
	if err != nil {
		return fmt.Errorf("webhook: write the subscriptions: %w", err)
	}
	return nil
}
