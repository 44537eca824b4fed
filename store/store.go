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
	"errors"
	"time"
)

// ErrNotFound is returned by Get and GetBlob when no record or blob exists
// under the given name or key.
var ErrNotFound = errors.New("store: not found")

// ErrInvalidName is returned when a record name or blob key cannot be stored
// safely (empty, too long, path traversal, characters outside the allowed set).
var ErrInvalidName = errors.New("store: invalid name")

// Record is one hostname's persisted state.
//
// The store treats Data as opaque: the root package serializes its domain
// model there. Secrets hold private key material and are kept apart so that
// Encrypted can seal them; they never appear in String or %v output.
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
	// Secrets maps a secret's name (for example "custom.key") to its bytes.
	Secrets map[string][]byte
}

// String describes the record without its secrets.
func (r *Record) String() string {
	if r == nil {
		return "<nil record>"
	}
	return "store.Record{Name: " + r.Name + ", secrets: " + itoa(len(r.Secrets)) + " redacted}"
}

// GoString is like String, so that %#v does not print secrets either.
func (r *Record) GoString() string { return r.String() }

// Clone returns a deep copy of r, so that callers and stores never share
// mutable slices or maps.
func (r *Record) Clone() *Record {
	if r == nil {
		return nil
	}
	c := *r
	c.Data = append([]byte(nil), r.Data...)
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

// ListResult is one page of List.
type ListResult struct {
	// Records are the page's records, in order, including their secrets.
	Records []*Record
	// NextCursor continues the listing; empty when this is the last page.
	NextCursor string
	// Total is the number of records matching Filter, over all pages.
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
