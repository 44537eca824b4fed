package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Op says what a Change did.
type Op string

// The operations of the change feed.
const (
	// OpPut: the record was written (created or replaced).
	OpPut Op = "put"
	// OpDelete: the record was deleted.
	OpDelete Op = "delete"
	// OpReset: the records table was truncated by hand; Name is empty.
	// Reload everything.
	OpReset Op = "reset"
)

// Change is one entry of the change feed: a write of a record.
type Change struct {
	// Seq is the change's position in the feed. Positions start at 1 and
	// increase by one per change, in commit order: a reader that has seen
	// position n has seen every change before it.
	Seq int64
	// Name is the record's name (empty for OpReset).
	Name string
	// Op is what happened.
	Op Op
	// Version is the record's version after a put, before a delete (see
	// Versioned); a replica that already holds it may skip the reload.
	Version int64
	// At is when the change was made, by the database's clock.
	At time.Time
}

// MaxChanges caps the limit of Changes.
const MaxChanges = 10000

// Changes returns up to limit changes after position since, oldest first
// (limit 0 means 100, at most MaxChanges). A replica follows the feed by
// passing the Seq of the last change it handled; to start, it takes
// LastChange, then loads everything, then follows from the position taken.
// When the changes after since were pruned, it returns a *PrunedError
// (ErrChangesPruned).
func (s *Store) Changes(ctx context.Context, since int64, limit int) ([]Change, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	switch {
	case limit < 0 || limit > MaxChanges:
		return nil, fmt.Errorf("pgstore: Changes limit %d; use 1 to %d, or 0 for 100", limit, MaxChanges)
	case since < 0:
		return nil, fmt.Errorf("pgstore: Changes since %d; positions start at 0", since)
	case limit == 0:
		limit = 100
	}
	rows, err := s.pool.Query(ctx, s.q.changes, since, limit)
	if err != nil {
		return nil, dbError(ctx, "read changes", err)
	}
	defer rows.Close()
	var out []Change
	var pruned int64
	for rows.Next() {
		var seq, version pgtype.Int8
		var name, op pgtype.Text
		var at pgtype.Timestamptz
		if err := rows.Scan(&pruned, &seq, &name, &op, &version, &at); err != nil {
			return nil, dbError(ctx, "read changes", err)
		}
		if seq.Valid { // else no change after since: the one row holds pruned_through
			out = append(out, Change{Seq: seq.Int64, Name: name.String, Op: Op(op.String), Version: version.Int64, At: at.Time.UTC()})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(ctx, "read changes", err)
	}
	if since < pruned {
		return nil, &PrunedError{Since: since, PrunedThrough: pruned}
	}
	return out, nil
}

// LastChange returns the position of the newest change (0 when there is
// none yet).
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	if err := s.begin(ctx); err != nil {
		return 0, err
	}
	var seq int64
	if err := s.pool.QueryRow(ctx, s.q.lastChange).Scan(&seq); err != nil {
		return 0, dbError(ctx, "read the last change", err)
	}
	return seq, nil
}

// PruneChanges deletes the changes made before t, always a prefix of the
// feed, and returns how many it deleted. Readers behind the pruned part
// then get ErrChangesPruned. Call it now and then (for example daily,
// keeping a week): the feed grows by one row per write.
func (s *Store) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	if err := s.begin(ctx); err != nil {
		return 0, err
	}
	var n int64
	if err := s.pool.QueryRow(ctx, s.q.pruneChange, before).Scan(&n); err != nil {
		return 0, dbError(ctx, "prune changes", err)
	}
	return n, nil
}
