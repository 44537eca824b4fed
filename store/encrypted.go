package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
)

// encrypted is the Store NewEncrypted returns for an inner store that is
// not a Locker.
type encrypted struct {
	inner  Store
	sealer *sealer
}

// lockingEncrypted is the Store NewEncrypted returns for an inner store that
// is a Locker; locking passes through.
type lockingEncrypted struct {
	*encrypted
	locker Locker
}

var (
	_ Store  = (*encrypted)(nil)
	_ Store  = (*lockingEncrypted)(nil)
	_ Locker = (*lockingEncrypted)(nil)
)

// NewEncrypted returns a Store that keeps its records and blobs in inner
// with every Record.Secrets value and every blob sealed with AES-256-GCM.
// Names, timestamps and Record.Data stay readable in inner.
//
// Writes seal with primary. Reads open values sealed with primary or with
// any of previous, so keys can be rotated: make the new key primary, keep
// the old ones as previous until every record and blob has been rewritten,
// then drop them. A sealed value is bound to its record and secret name (or
// blob key): moved elsewhere in inner, it fails to open. A value that cannot
// be opened (unknown key ID, altered, moved) makes Get, List and GetBlob
// return an error wrapping ErrDecrypt, with details in a *DecryptError;
// decryption never returns garbage. That is a configuration error, not
// damage: the records are whole, the right key is missing. Damaged records
// of inner (ErrDamaged) pass through as they are: Get returns the
// *DamagedError, List reports them in ListResult.Damaged.
//
// Values that are not in the sealed format, written to inner before
// encryption was enabled, are returned as they are, and sealed the next time
// they are written through the returned Store. (So whoever can write to
// inner can also plant plaintext values.)
//
// The returned Store is a Locker if and only if inner is one, and is safe
// for concurrent use if inner is. Keys are validated: an empty, malformed or
// duplicate ID or an all-zero secret returns an error wrapping
// ErrInvalidKey.
func NewEncrypted(inner Store, primary Key, previous ...Key) (Store, error) {
	if inner == nil {
		return nil, errors.New("store: NewEncrypted with a nil inner store; pass the Store to encrypt, such as an *FS")
	}
	s, err := newSealer(primary, previous)
	if err != nil {
		return nil, err
	}
	e := &encrypted{inner: inner, sealer: s}
	if l, ok := inner.(Locker); ok {
		return &lockingEncrypted{encrypted: e, locker: l}, nil
	}
	return e, nil
}

// String names the primary key and counts the previous ones; it never
// shows key material or the inner store's contents.
func (e *encrypted) String() string {
	return "store.Encrypted{primary key: " + e.sealer.primary + ", previous keys: " + itoa(len(e.sealer.aeads)-1) + "}"
}

// Format prints String for every verb.
func (e *encrypted) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.String())) }

// LogValue logs String.
func (e *encrypted) LogValue() slog.Value { return slog.StringValue(e.String()) }

// MarshalJSON encodes String as a JSON string.
func (e *encrypted) MarshalJSON() ([]byte, error) { return json.Marshal(e.String()) }

// Lock locks through the inner store.
func (e *lockingEncrypted) Lock(ctx context.Context, name string) (unlock func(), err error) {
	return e.locker.Lock(ctx, name)
}

// Get returns the record with its secrets opened.
func (e *encrypted) Get(ctx context.Context, name string) (*Record, error) {
	rec, err := e.inner.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := e.openRecord(rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// Put seals the record's secrets and stores it; rec is not modified.
func (e *encrypted) Put(ctx context.Context, rec *Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sealed, err := e.sealRecord(rec)
	if err != nil {
		return err
	}
	return e.inner.Put(ctx, sealed)
}

// sealRecord returns a copy of rec with its secrets sealed.
func (e *encrypted) sealRecord(rec *Record) (*Record, error) {
	if err := checkRecord(rec); err != nil {
		return nil, err
	}
	sealed := *rec // Data is not modified: inner copies it
	if rec.Secrets != nil {
		sealed.Secrets = make(map[string][]byte, len(rec.Secrets))
		for k, v := range rec.Secrets {
			b, err := e.sealer.seal(v, place("record", rec.Name, k))
			if err != nil {
				return nil, err
			}
			sealed.Secrets[k] = b
		}
	}
	return &sealed, nil
}

// Delete deletes through the inner store.
func (e *encrypted) Delete(ctx context.Context, name string) error {
	return e.inner.Delete(ctx, name)
}

// List lists through the inner store and opens the secrets of every record
// of the page; the page's damaged records pass through.
func (e *encrypted) List(ctx context.Context, opts ListOptions) (*ListResult, error) {
	res, err := e.inner.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	for _, rec := range res.Records {
		if err := e.openRecord(rec); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// GetBlob returns the blob, opened.
func (e *encrypted) GetBlob(ctx context.Context, key string) ([]byte, error) {
	b, err := e.inner.GetBlob(ctx, key)
	if err != nil || !isSealed(b) {
		return b, err
	}
	return e.sealer.open(b, place("blob", key), "blob "+key)
}

// PutBlob seals data and stores it.
func (e *encrypted) PutBlob(ctx context.Context, key string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckKey(key); err != nil {
		return err
	}
	b, err := e.sealer.seal(data, place("blob", key))
	if err != nil {
		return err
	}
	return e.inner.PutBlob(ctx, key, b)
}

// DeleteBlob deletes through the inner store.
func (e *encrypted) DeleteBlob(ctx context.Context, key string) error {
	return e.inner.DeleteBlob(ctx, key)
}

// openRecord replaces the sealed secrets of rec, a copy owned by the
// caller, with their plaintext.
func (e *encrypted) openRecord(rec *Record) error {
	for k, v := range rec.Secrets {
		if !isSealed(v) {
			continue // written before encryption was enabled
		}
		plain, err := e.sealer.open(v, place("record", rec.Name, k), "record "+rec.Name+" secret "+k)
		if err != nil {
			return err
		}
		rec.Secrets[k] = plain
	}
	return nil
}
