package acme

import (
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/registration"

	"github.com/certs-dev/certs"
)

// account is one ACME account: lego's registration.User.
type account struct {
	email string
	key   crypto.Signer
	reg   *registration.Resource
}

// GetEmail returns the contact address.
func (a *account) GetEmail() string { return a.email }

// GetRegistration returns the registration, nil before registering.
func (a *account) GetRegistration() *registration.Resource { return a.reg }

// GetPrivateKey returns the account key.
func (a *account) GetPrivateKey() crypto.PrivateKey { return a.key }

// String describes the account without its key.
func (a *account) String() string {
	uri := ""
	if a.reg != nil {
		uri = a.reg.URI
	}
	return fmt.Sprintf("acme account{email: %q, uri: %q, key: redacted}", a.email, uri)
}

// accountFile is the stored form of an account.
type accountFile struct {
	Directory    string                 `json:"directory"`
	Email        string                 `json:"email,omitempty"`
	KeyPEM       string                 `json:"key_pem"`
	Registration *registration.Resource `json:"registration,omitempty"`
	UpdatedAt    time.Time              `json:"updated_at"`
}

// accountKey is the blob key of the account for (directory, email).
func accountKey(directory, email string) string {
	sum := sha256.Sum256([]byte(directory))
	name := "default"
	if email != "" {
		name = escapeSegment(email)
	}
	return "acme/accounts/" + hex.EncodeToString(sum[:]) + "/" + name + "/account.json"
}

// escapeSegment maps s injectively onto [A-Za-z0-9.-_]: every other byte,
// and '_' itself, becomes "_xx" (hex). "ops@example.com" -> "ops_40example.com".
func escapeSegment(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02x", c)
	}
	return b.String()
}

// accounts caches the Issuer's account and creates it once.
type accounts struct {
	storeMu   sync.Mutex
	store     certs.Store // see storeOf
	directory string
	email     string
	key       string // blob key

	sem  chan struct{} // held while loading or creating; a lock that honours ctx
	mu   sync.Mutex    // guards acct
	acct *account      // cached once registered
}

func newAccounts(st certs.Store, directory, email string) *accounts {
	return &accounts{
		store: st, directory: directory, email: email,
		key: accountKey(directory, email), sem: make(chan struct{}, 1),
	}
}

// storeOf returns the Store keeping the account, or nil.
func (a *accounts) storeOf() certs.Store {
	a.storeMu.Lock()
	defer a.storeMu.Unlock()
	return a.store
}

// use makes st the Store keeping the account.
func (a *accounts) use(st certs.Store) {
	a.storeMu.Lock()
	defer a.storeMu.Unlock()
	a.store = st
}

// st returns the Store keeping the account, or ErrNoStore.
func (a *accounts) st() (certs.Store, error) {
	if st := a.storeOf(); st != nil {
		return st, nil
	}
	return nil, ErrNoStore
}

// cached returns the registered account if this Issuer already has it.
func (a *accounts) cached() *account {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.acct
}

// setCached records the registered account.
func (a *accounts) setCached(acct *account) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.acct = acct
}

// acquire takes the Issuer's account lock, or fails when ctx is done.
func (a *accounts) acquire(ctx context.Context) (func(), error) {
	select {
	case a.sem <- struct{}{}:
		return func() { <-a.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// load reads the stored account; it returns nil, nil when there is none.
func (a *accounts) load(ctx context.Context) (*account, error) {
	st, err := a.st()
	if err != nil {
		return nil, err
	}
	data, err := st.GetBlob(ctx, a.key)
	if errors.Is(err, certs.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("acme: read account %s: %w", a.key, err)
	}
	var f accountFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("acme: decode account %s: %w", a.key, err)
	}
	key, err := decodeKey([]byte(f.KeyPEM))
	if err != nil {
		return nil, err
	}
	return &account{email: a.email, key: key, reg: f.Registration}, nil
}

// save writes acct to the store.
func (a *accounts) save(ctx context.Context, acct *account) error {
	keyPEM, err := encodeKey(acct.key)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(accountFile{
		Directory: a.directory, Email: a.email, KeyPEM: string(keyPEM),
		Registration: acct.reg, UpdatedAt: time.Now().UTC(),
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("acme: encode account: %w", err)
	}
	st, err := a.st()
	if err != nil {
		return err
	}
	if err := st.PutBlob(ctx, a.key, data); err != nil {
		return fmt.Errorf("acme: write account %s: %w", a.key, err)
	}
	return nil
}

// lock takes the Store's lock on the account when the Store is a Locker, so
// that processes sharing the Store create one account.
func (a *accounts) lock(ctx context.Context) (func(), error) {
	st, err := a.st()
	if err != nil {
		return nil, err
	}
	l, ok := st.(certs.Locker)
	if !ok {
		return func() {}, nil
	}
	unlock, err := l.Lock(ctx, a.key)
	if err != nil {
		return nil, fmt.Errorf("acme: lock account %s: %w", a.key, err)
	}
	return unlock, nil
}

// exists returns ErrNoAccount unless the account is cached or stored with
// its registration.
func (a *accounts) exists(ctx context.Context) error {
	if a.cached() != nil {
		return nil
	}
	acct, err := a.load(ctx)
	if err != nil {
		return err
	}
	if acct == nil || acct.reg == nil {
		return fmt.Errorf("%w (%s)", ErrNoAccount, a.key)
	}
	return nil
}
