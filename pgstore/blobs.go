package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/certs-dev/certs/store"
)

// GetBlob returns the blob stored under key, or an error wrapping
// store.ErrNotFound.
func (s *Store) GetBlob(ctx context.Context, key string) ([]byte, error) {
	if err := s.blobBegin(ctx, key); err != nil {
		return nil, err
	}
	var data []byte
	err := s.pool.QueryRow(ctx, s.q.getBlob, key).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: blob %s", store.ErrNotFound, key)
	}
	if err != nil {
		return nil, dbError(ctx, "get blob "+key, err)
	}
	return data, nil
}

// PutBlob stores a copy of data under key, replacing any previous blob.
func (s *Store) PutBlob(ctx context.Context, key string, data []byte) error {
	if err := s.blobBegin(ctx, key); err != nil {
		return err
	}
	if data == nil {
		data = []byte{} // the column is NOT NULL
	}
	if _, err := s.pool.Exec(ctx, s.q.putBlob, key, data); err != nil {
		return dbError(ctx, "put blob "+key, err)
	}
	return nil
}

// DeleteBlob removes the blob stored under key. Deleting a missing blob
// returns nil.
func (s *Store) DeleteBlob(ctx context.Context, key string) error {
	if err := s.blobBegin(ctx, key); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, s.q.deleteBlob, key); err != nil {
		return dbError(ctx, "delete blob "+key, err)
	}
	return nil
}

// blobBegin checks ctx, the store and the key.
func (s *Store) blobBegin(ctx context.Context, key string) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	return store.CheckKey(key)
}
