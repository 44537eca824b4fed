// Package store persists hostname records for certs.
//
// It is a leaf package: it imports nothing else of this module, so a store
// backend can be written and tested on its own. The root package certs uses
// the types defined here as its Store contract; every backend must pass the
// conformance suite in store/storetest.
//
// Two backends ship with the package: Memory, for tests and ephemeral use,
// and FS, the durable default, which writes one file per record with
// temp file + fsync + rename + directory fsync (DefaultDir is where the
// Manager keeps it when no store is configured). NewEncrypted wraps any
// Store and seals secrets (private keys, account keys) and blobs with
// AES-256-GCM. CheckName and CheckKey tell which record names and blob keys
// every backend accepts.
package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"time"
)

// Record is one hostname's persisted state.
//
// The store treats Data as opaque: the root package serializes its domain
// model there. Secrets hold private key material and are kept apart so that
// Encrypted can seal them. Secrets are never printed: String, GoString,
// Format (every fmt verb), LogValue (slog) and MarshalJSON show only their
// names and number. Two uses of fmt bypass every method and print a
// Record's raw fields, secrets included: %p of a Record value (not a
// pointer), which fmt reports as a bad verb by dumping the value; and a
// Record or *Record in an unexported field of a struct that fmt prints
// (fmt calls no method there, and with a verb such as %s it dumps what a
// pointer points to). Do not print structs that keep records in unexported
// fields.
type Record struct {
	// Name is the key: a normalized hostname such as "example.com" or
	// "*.example.com".
	Name string
	// CreatedAt is when the record was first stored.
	CreatedAt time.Time
	// UpdatedAt is when the record was last written.
	UpdatedAt time.Time
	// ExpiresAt is the earliest expiry among the record's certificates (zero
	// when it holds none); List sorts on it.
	ExpiresAt time.Time
	// Data is the caller's serialized, non-secret state.
	Data []byte
	// Labels are the caller's non-secret labels (for example a platform's
	// tenant); List can select records by them (ListOptions.Labels).
	Labels map[string]string
	// Secrets maps a secret's name (for example "custom.key") to its bytes.
	Secrets map[string][]byte
}

// String describes the record without its secrets.
func (r Record) String() string {
	return "store.Record{Name: " + r.Name + ", secrets: " + itoa(len(r.Secrets)) + " redacted}"
}

// GoString is like String, so that %#v does not print secrets either.
func (r Record) GoString() string { return r.String() }

// Format prints String for every verb (%v, %d, %x, %q, ...), so that no
// verb prints the secret bytes.
func (r Record) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(r.String())) }

// LogValue logs the record's name, times and sizes, with its secrets
// redacted.
func (r Record) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", r.Name),
		slog.Time("created_at", r.CreatedAt),
		slog.Time("updated_at", r.UpdatedAt),
		slog.Time("expires_at", r.ExpiresAt),
		slog.Int("data_bytes", len(r.Data)),
		slog.String("secrets", itoa(len(r.Secrets))+" redacted"),
	)
}

// MarshalJSON encodes the record as encoding/json would, with the same
// field names, except that every secret's value is "<redacted>". It is for
// display: the secrets cannot be read back from it (FS keeps records in a
// format of its own).
func (r Record) MarshalJSON() ([]byte, error) {
	var secrets map[string]string
	if r.Secrets != nil {
		secrets = make(map[string]string, len(r.Secrets))
		for k := range r.Secrets {
			secrets[k] = "<redacted>"
		}
	}
	return json.Marshal(struct {
		Name                            string
		CreatedAt, UpdatedAt, ExpiresAt time.Time
		Data                            []byte
		Labels                          map[string]string `json:",omitempty"`
		Secrets                         map[string]string
	}{r.Name, r.CreatedAt, r.UpdatedAt, r.ExpiresAt, r.Data, r.Labels, secrets})
}

// Clone returns a deep copy of r, so that callers and stores never share
// mutable slices or maps.
func (r *Record) Clone() *Record {
	if r == nil {
		return nil
	}
	c := *r
	c.Data = append([]byte(nil), r.Data...)
	c.Labels = maps.Clone(r.Labels)
	if r.Secrets != nil {
		c.Secrets = make(map[string][]byte, len(r.Secrets))
		for k, v := range r.Secrets {
			c.Secrets[k] = append([]byte(nil), v...)
		}
	}
	return &c
}

// SortField selects the order of List results.
type SortField int

const (
	// SortByName orders by record name (the default).
	SortByName SortField = iota
	// SortByExpiry orders by ExpiresAt, then name. Records with a zero
	// ExpiresAt sort last.
	SortByExpiry
	// SortByCreated orders by CreatedAt, then name.
	SortByCreated
)

// ListOptions select and page the records that List returns.
type ListOptions struct {
	// Filter keeps only records whose name contains this substring.
	Filter string
	// Labels keeps only records whose Labels hold every one of these
	// pairs (exact match).
	Labels map[string]string
	// Cursor continues a previous List: pass its NextCursor. Empty starts
	// at the beginning. Cursors are opaque and only valid for the same
	// Filter, Sort and Desc.
	Cursor string
	// Limit caps the number of records returned; 0 means 100
	// (DefaultListLimit). Negative is an error.
	Limit int
	// Sort selects the order.
	Sort SortField
	// Desc reverses the whole order, tie-breaks included: with
	// SortByExpiry, records with a zero ExpiresAt then come first.
	Desc bool
}

// ListResult is one page of List. It prints and marshals its records as
// Record does, secrets redacted (see Record for the two uses of fmt no
// method can intercept).
//
// A page holds entries in list order: readable records go to Records,
// records the store holds but cannot read back (see ErrDamaged) go to
// Damaged, so that one damaged record never hides the others. A damaged
// record takes a place like any other: Limit caps len(Records) +
// len(Damaged), Total counts it, and cursors step over it. In name order
// it keeps its place by name; in expiry or creation order, having no
// readable sort key, damaged records come after every readable record
// (before them with Desc), by name (that is where Memory and FS put them;
// other backends may place them elsewhere).
type ListResult struct {
	// Records are the page's readable records, in order, including their
	// secrets.
	Records []*Record
	// Damaged are the page's damaged records, in order: each names the
	// record, where it is stored and what is wrong, and matches
	// ErrDamaged. Get returns the same error for the record; Delete
	// removes it.
	Damaged []*DamagedError
	// NextCursor continues the listing; empty when this is the last page.
	NextCursor string
	// Total is the number of records matching Filter over all pages,
	// damaged ones included.
	Total int
}

// Store persists hostname records and auxiliary blobs (ACME accounts,
// challenge tokens).
//
// Contract for every implementation:
//   - Safe for concurrent use by multiple goroutines.
//   - Every method honours ctx cancellation before doing I/O.
//   - Get and GetBlob return an error wrapping ErrNotFound for a missing
//     item; Delete and DeleteBlob of a missing item return nil.
//   - A record the backend holds but cannot read back is damaged: Get
//     returns a *DamagedError (ErrDamaged) for it, List skips it and reports
//     it in ListResult.Damaged instead of failing, and Delete removes it.
//     Backends that cannot hold damaged records never report any.
//   - Put and PutBlob are atomic: after a crash, a reader sees either the
//     previous value or the new one, never a mix.
//   - Records passed in and returned are not retained or shared: a store
//     copies what it keeps.
//   - Names are normalized hostnames; keys are slash-separated segments of
//     [A-Za-z0-9._-] without "." or ".." segments. Anything else is
//     ErrInvalidName.
type Store interface {
	Get(ctx context.Context, name string) (*Record, error)
	Put(ctx context.Context, rec *Record) error
	Delete(ctx context.Context, name string) error
	List(ctx context.Context, opts ListOptions) (*ListResult, error)

	GetBlob(ctx context.Context, key string) ([]byte, error)
	PutBlob(ctx context.Context, key string, data []byte) error
	DeleteBlob(ctx context.Context, key string) error
}

// A Locker is a Store that can coordinate several processes sharing it.
// Lock blocks until the named lock is held or ctx is done; the returned
// unlock function releases it and is safe to call more than once.
type Locker interface {
	Lock(ctx context.Context, name string) (unlock func(), err error)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
