package store

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultListLimit is the page size List uses when ListOptions.Limit is 0.
const DefaultListLimit = 100

// ErrInvalidCursor is returned by List when ListOptions.Cursor was not
// produced by a previous List with the same Sort and Desc.
var ErrInvalidCursor = errors.New("store: invalid list cursor; pass the NextCursor of a previous List with the same Sort and Desc, or an empty cursor to start over")

// cursor is the decoded form of ListResult.NextCursor: the sort key and the
// name of the last record returned.
type cursor struct {
	V    int       `json:"v"`
	Sort SortField `json:"s"`
	Desc bool      `json:"d,omitempty"`
	// Sec and Nsec are the Unix time of the sort key for SortByExpiry and
	// SortByCreated; Zero marks a zero time.
	Sec  int64  `json:"t,omitempty"`
	Nsec int    `json:"n,omitempty"`
	Zero bool   `json:"z,omitempty"`
	Name string `json:"k"`
}

// encodeCursor returns the opaque cursor positioned after rec.
func encodeCursor(rec *Record, opts ListOptions) string {
	c := cursor{V: 1, Sort: opts.Sort, Desc: opts.Desc, Name: rec.Name}
	if t, ok := sortTime(rec, opts.Sort); ok {
		c.Zero = t.IsZero()
		if !c.Zero {
			c.Sec, c.Nsec = t.Unix(), t.Nanosecond()
		}
	}
	b, _ := json.Marshal(c) // cannot fail: plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses s and returns a record carrying its sort key, for
// comparison with the records of the listing. The error wraps
// ErrInvalidCursor.
func decodeCursor(s string, opts ListOptions) (*Record, error) {
	if len(s) > 4096 {
		return nil, fmt.Errorf("%w (too long)", ErrInvalidCursor)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	switch {
	case c.V != 1:
		return nil, fmt.Errorf("%w (unknown version %d)", ErrInvalidCursor, c.V)
	case c.Sort != opts.Sort || c.Desc != opts.Desc:
		return nil, fmt.Errorf("%w (it was made for another Sort or Desc)", ErrInvalidCursor)
	case c.Nsec < 0 || c.Nsec > 999_999_999:
		return nil, fmt.Errorf("%w (bad time)", ErrInvalidCursor)
	case checkName(c.Name) != nil:
		return nil, fmt.Errorf("%w (bad name)", ErrInvalidCursor)
	}
	pos := &Record{Name: c.Name}
	if !c.Zero && (c.Sort == SortByExpiry || c.Sort == SortByCreated) {
		t := time.Unix(c.Sec, int64(c.Nsec)).UTC()
		pos.ExpiresAt, pos.CreatedAt = t, t
	}
	return pos, nil
}

// sortTime returns the time List sorts rec on, if the order uses one.
func sortTime(rec *Record, f SortField) (time.Time, bool) {
	switch f {
	case SortByExpiry:
		return rec.ExpiresAt, true
	case SortByCreated:
		return rec.CreatedAt, true
	}
	return time.Time{}, false
}

// compareRecords orders a and b as List does for opts: by the sort key,
// then by name, the whole order reversed when opts.Desc is set.
func compareRecords(a, b *Record, opts ListOptions) int {
	c := 0
	switch opts.Sort {
	case SortByExpiry:
		// Zero expiry sorts last.
		az, bz := a.ExpiresAt.IsZero(), b.ExpiresAt.IsZero()
		switch {
		case az && !bz:
			c = 1
		case !az && bz:
			c = -1
		case !az && !bz:
			c = a.ExpiresAt.Compare(b.ExpiresAt)
		}
	case SortByCreated:
		c = a.CreatedAt.Compare(b.CreatedAt)
	}
	if c == 0 {
		c = strings.Compare(a.Name, b.Name)
	}
	if opts.Desc {
		c = -c
	}
	return c
}

// checkListOptions validates opts and returns the effective limit.
func checkListOptions(opts ListOptions) (int, error) {
	switch {
	case opts.Sort != SortByName && opts.Sort != SortByExpiry && opts.Sort != SortByCreated:
		return 0, fmt.Errorf("store: unknown ListOptions.Sort %d; use SortByName, SortByExpiry or SortByCreated", opts.Sort)
	case opts.Limit < 0:
		return 0, fmt.Errorf("store: negative ListOptions.Limit %d; use 0 for the default of %d", opts.Limit, DefaultListLimit)
	case opts.Limit == 0:
		return DefaultListLimit, nil
	}
	return opts.Limit, nil
}

// paginate sorts matching (records already filtered by opts.Filter), and
// returns the page selected by opts. It does not copy the records.
func paginate(matching []*Record, opts ListOptions) (*ListResult, error) {
	limit, err := checkListOptions(opts)
	if err != nil {
		return nil, err
	}
	var pos *Record
	if opts.Cursor != "" {
		if pos, err = decodeCursor(opts.Cursor, opts); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(matching, func(a, b *Record) int { return compareRecords(a, b, opts) })
	start := 0
	if pos != nil {
		start, _ = slices.BinarySearchFunc(matching, pos, func(e, t *Record) int {
			if compareRecords(e, t, opts) <= 0 {
				return -1
			}
			return 1
		})
	}
	end := min(start+limit, len(matching))
	res := &ListResult{Total: len(matching), Records: matching[start:end:end]}
	if end < len(matching) && end > start {
		res.NextCursor = encodeCursor(matching[end-1], opts)
	}
	return res, nil
}

// matchFilter reports whether a record named name is kept by opts.Filter.
func matchFilter(name string, opts ListOptions) bool {
	return strings.Contains(name, opts.Filter)
}
