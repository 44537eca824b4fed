package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/certs-dev/certs/store"
)

// Get returns the record stored under name: an error wrapping
// store.ErrNotFound when there is none, a *store.DamagedError when its row
// cannot be decoded.
func (s *Store) Get(ctx context.Context, name string) (*store.Record, error) {
	rec, _, err := s.GetVersion(ctx, name)
	return rec, err
}

// GetVersion is Get that also returns the record's version, for PutIf and
// DeleteIf.
func (s *Store) GetVersion(ctx context.Context, name string) (*store.Record, int64, error) {
	if err := s.begin(ctx); err != nil {
		return nil, 0, err
	}
	if err := store.CheckName(name); err != nil {
		return nil, 0, err
	}
	var r row
	err := s.pool.QueryRow(ctx, s.q.get, name).Scan(r.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, fmt.Errorf("%w: record %s", store.ErrNotFound, name)
	}
	if err != nil {
		return nil, 0, dbError(ctx, "get "+name, err)
	}
	rec, err := r.record(s.schema)
	if err != nil {
		return nil, 0, err
	}
	return rec, r.version, nil
}

// Put stores a copy of rec under rec.Name, replacing any previous record,
// with timestamps as given. It is one statement: atomic, and logged in the
// change feed in the same transaction.
func (s *Store) Put(ctx context.Context, rec *store.Record) error {
	_, err := s.put(ctx, rec, s.q.put)
	return err
}

// put runs a write query with rec's row as $1..$9 and extra after them,
// and returns the new version, or 0 when the query wrote nothing.
func (s *Store) put(ctx context.Context, rec *store.Record, query string, extra ...any) (int64, error) {
	if err := s.begin(ctx); err != nil {
		return 0, err
	}
	if rec == nil {
		return 0, errors.New("pgstore: Put of a nil record")
	}
	if err := store.CheckName(rec.Name); err != nil {
		return 0, err
	}
	if err := checkLabels(rec); err != nil {
		return 0, err
	}
	var version int64
	err := s.pool.QueryRow(ctx, query, append(newRow(rec).args(), extra...)...).Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, dbError(ctx, "put "+rec.Name, err)
	}
	return version, nil
}

// Delete removes the record stored under name, damaged or not. Deleting a
// missing record returns nil.
func (s *Store) Delete(ctx context.Context, name string) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if err := store.CheckName(name); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, s.q.delete, name); err != nil {
		return dbError(ctx, "delete "+name, err)
	}
	return nil
}
