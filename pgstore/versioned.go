package pgstore

import (
	"context"
	"fmt"

	"github.com/certs-dev/certs/store"
)

// Versioned is the optional ability of a store whose records carry a
// version that changes on every write, so that a read-modify-write can
// refuse to overwrite a change it did not read. *Store implements it;
// discover it by type assertion, the way store.Locker is.
//
// A lock alone cannot protect a write: a holder can lose its lock (its
// connection broke, it paused past a lease) and write after another
// process took the lock and wrote. With versions, the late write fails
// with ErrConflict instead of undoing the other's change:
//
//	unlock, err := st.Lock(ctx, name)
//	...
//	rec, v, err := st.GetVersion(ctx, name) // v = 0 with store.ErrNotFound
//	... modify rec ...
//	_, err = st.PutIf(ctx, rec, v) // ErrConflict: someone else wrote; read again
//
// Versions are positive, never reused (not even after Delete and a new Put
// of the same name), and mean nothing beyond equality. Plain Put and Delete
// stay unconditional.
type Versioned = store.Versioned

// PutIf stores rec only if the stored version of rec.Name is version (0:
// only if no record of that name exists), and returns the new version. A
// refused write returns a *ConflictError (ErrConflict) and changes nothing.
func (s *Store) PutIf(ctx context.Context, rec *store.Record, version int64) (int64, error) {
	if version < 0 {
		return 0, fmt.Errorf("pgstore: PutIf of %s with version %d; pass the version GetVersion returned, or 0 for a record that must not exist yet", recName(rec), version)
	}
	query, extra := s.q.putIfAbsent, []any(nil)
	if version > 0 {
		query, extra = s.q.putIfVersion, []any{version}
	}
	v, err := s.put(ctx, rec, query, extra...)
	if err != nil || v != 0 {
		return v, err
	}
	return 0, s.conflict(ctx, rec.Name, version)
}

// DeleteIf deletes the record called name only if its stored version is
// version; otherwise, also when there is no such record, it returns a
// *ConflictError (ErrConflict).
func (s *Store) DeleteIf(ctx context.Context, name string, version int64) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if err := store.CheckName(name); err != nil {
		return err
	}
	if version <= 0 {
		return fmt.Errorf("pgstore: DeleteIf of %s with version %d; pass the version GetVersion returned", name, version)
	}
	tag, err := s.pool.Exec(ctx, s.q.deleteIfVersion, name, version)
	if err != nil {
		return dbError(ctx, "delete "+name, err)
	}
	if tag.RowsAffected() == 0 {
		return s.conflict(ctx, name, version)
	}
	return nil
}

// conflict builds the error of a refused write, reading the version now
// stored for its message.
func (s *Store) conflict(ctx context.Context, name string, expected int64) error {
	var actual int64
	if err := s.pool.QueryRow(ctx, s.q.version, name).Scan(&actual); err != nil {
		return dbError(ctx, "read the version of "+name, err)
	}
	return &ConflictError{Name: name, Expected: expected, Actual: actual}
}

// recName is rec's name, or "" for nil.
func recName(rec *store.Record) string {
	if rec == nil {
		return ""
	}
	return rec.Name
}
