package pgstore

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/certs-dev/certs/store"
)

// cursor is the decoded form of ListResult.NextCursor: the sort key and
// name of the last entry of a page, as stored.
type cursor struct {
	P int             `json:"p"` // 1: a pgstore cursor, version 1
	S store.SortField `json:"s"`
	D bool            `json:"d,omitempty"`
	K string          `json:"k"`
	// T is the sort time in Unix microseconds and N the nanoseconds within
	// the microsecond, for SortByExpiry and SortByCreated; I marks an
	// expiry of 'infinity' (no certificate).
	T int64 `json:"t,omitempty"`
	N int16 `json:"n,omitempty"`
	I bool  `json:"i,omitempty"`
}

// encodeCursor returns the opaque cursor positioned after r.
func encodeCursor(r *row, opts store.ListOptions) string {
	c := cursor{P: 1, S: opts.Sort, D: opts.Desc, K: r.name}
	var t pgTime
	switch opts.Sort {
	case store.SortByExpiry:
		t = r.expires
	case store.SortByCreated:
		t = r.created
	}
	if opts.Sort != store.SortByName {
		c.I = t.ts.InfinityModifier == pgtype.Infinity
		if !c.I {
			c.T, c.N = t.ts.Time.UnixMicro(), t.nsec
		}
	}
	b, _ := json.Marshal(c) // cannot fail: plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses s, checking that it was made for opts' order. The
// error wraps store.ErrInvalidCursor.
func decodeCursor(s string, opts store.ListOptions) (*cursor, error) {
	if len(s) > 4096 {
		return nil, fmt.Errorf("%w (too long)", store.ErrInvalidCursor)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", store.ErrInvalidCursor, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // another store's cursor
	var c cursor
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %v", store.ErrInvalidCursor, err)
	}
	switch {
	case c.P != 1:
		return nil, fmt.Errorf("%w (not a pgstore cursor of a known version)", store.ErrInvalidCursor)
	case c.S != opts.Sort || c.D != opts.Desc:
		return nil, fmt.Errorf("%w (it was made for another Sort or Desc)", store.ErrInvalidCursor)
	case c.N < 0 || c.N > 999 || (c.I && (c.T != 0 || c.N != 0 || c.S != store.SortByExpiry)):
		return nil, fmt.Errorf("%w (bad time)", store.ErrInvalidCursor)
	case c.S == store.SortByName && (c.T != 0 || c.N != 0):
		return nil, fmt.Errorf("%w (a time in a cursor of name order)", store.ErrInvalidCursor)
	case store.CheckName(c.K) != nil:
		return nil, fmt.Errorf("%w (bad name)", store.ErrInvalidCursor)
	}
	return &c, nil
}

// values returns the cursor's position as query arguments, in the order of
// sortColumns[f].
func (c *cursor) values(f store.SortField) []any {
	if f == store.SortByName {
		return []any{c.K}
	}
	ts := pgtype.Timestamptz{Time: time.UnixMicro(c.T), Valid: true}
	if c.I {
		ts = pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}
	}
	return []any{ts, c.N, c.K}
}
