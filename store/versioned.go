package store

import (
	"context"
	"errors"
)

// Versioned is the optional ability of a store whose records carry a
// version that changes on every write, so that a read-modify-write can
// refuse to overwrite a change it did not read (the PostgreSQL store has
// it). The Manager uses it for every write when the Store has it.
//
// A lock alone cannot protect a write: a holder can lose its lock (its
// connection broke, it paused past a lease) and write after another
// process took the lock and wrote. With versions, the late write fails
// with ErrConflict instead of undoing the other's change.
//
// Versions are positive, never reused, and mean nothing beyond equality.
type Versioned interface {
	// GetVersion returns the record stored under name and its version;
	// errors as Get.
	GetVersion(ctx context.Context, name string) (*Record, int64, error)
	// PutIf stores rec only if the stored version of rec.Name is version,
	// or, with version 0, only if there is no record of that name. It
	// returns the new version, or an error wrapping ErrConflict.
	PutIf(ctx context.Context, rec *Record, version int64) (int64, error)
	// DeleteIf deletes the record called name only if its stored version
	// is version (positive); otherwise it returns an error wrapping
	// ErrConflict.
	DeleteIf(ctx context.Context, name string, version int64) error
}

// ErrConflict is wrapped by the error of a versioned write refused because
// another writer changed the record since it was read.
var ErrConflict = errors.New("store: the record was changed by another writer; read it again and redo the change")

// ErrNotVersioned is returned by the versioned methods of a wrapper (such
// as Encrypted) whose inner store has no versions: use Get and Put.
var ErrNotVersioned = errors.New("store: this store keeps no record versions; use Get and Put")

var _ Versioned = (*encrypted)(nil)

// GetVersion reads through the inner store's versions and opens the
// record's secrets.
func (e *encrypted) GetVersion(ctx context.Context, name string) (*Record, int64, error) {
	v, ok := e.inner.(Versioned)
	if !ok {
		return nil, 0, ErrNotVersioned
	}
	rec, ver, err := v.GetVersion(ctx, name)
	if err != nil {
		return nil, 0, err
	}
	if err := e.openRecord(rec); err != nil {
		return nil, 0, err
	}
	return rec, ver, nil
}

// PutIf seals the record's secrets and writes it if its version is still
// version.
func (e *encrypted) PutIf(ctx context.Context, rec *Record, version int64) (int64, error) {
	v, ok := e.inner.(Versioned)
	if !ok {
		return 0, ErrNotVersioned
	}
	sealed, err := e.sealRecord(rec)
	if err != nil {
		return 0, err
	}
	return v.PutIf(ctx, sealed, version)
}

// DeleteIf deletes through the inner store's versions.
func (e *encrypted) DeleteIf(ctx context.Context, name string, version int64) error {
	v, ok := e.inner.(Versioned)
	if !ok {
		return ErrNotVersioned
	}
	return v.DeleteIf(ctx, name, version)
}
