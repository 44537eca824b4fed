package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultListLimit is the page size List uses when ListOptions.Limit is 0.
const DefaultListLimit = 100

// entry is one place in a listing: a readable record, or a damaged one
// (dmg set, rec holding only the name).
type entry struct {
	rec *Record
	dmg *DamagedError
}

// add appends e to the page, to Records or to Damaged.
func (r *ListResult) add(e entry) {
	if e.dmg != nil {
		r.Damaged = append(r.Damaged, e.dmg)
	} else {
		r.Records = append(r.Records, e.rec)
	}
}

// cursor is the decoded form of ListResult.NextCursor: the sort key and the
// name of the last entry returned.
type cursor struct {
	V    int       `json:"v"`
	Sort SortField `json:"s"`
	Desc bool      `json:"d,omitempty"`
	// Sec and Nsec are the Unix time of the sort key for SortByExpiry and
	// SortByCreated; Zero marks a zero time.
	Sec  int64 `json:"t,omitempty"`
	Nsec int   `json:"n,omitempty"`
	Zero bool  `json:"z,omitempty"`
	// Damaged marks a damaged record, which has no sort key.
	Damaged bool   `json:"x,omitempty"`
	Name    string `json:"k"`
}

// encodeCursor returns the opaque cursor positioned after e.
func encodeCursor(e entry, opts ListOptions) string {
	c := cursor{V: 1, Sort: opts.Sort, Desc: opts.Desc, Name: e.rec.Name, Damaged: e.dmg != nil}
	if t, ok := sortTime(e.rec, opts.Sort); ok && e.dmg == nil {
		c.Zero = t.IsZero()
		if !c.Zero {
			c.Sec, c.Nsec = t.Unix(), t.Nanosecond()
		}
	}
	b, _ := json.Marshal(c) // cannot fail: plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses s and returns an entry carrying its sort key, for
// comparison with the entries of the listing. The error wraps
// ErrInvalidCursor.
func decodeCursor(s string, opts ListOptions) (entry, error) {
	if len(s) > 4096 {
		return entry{}, fmt.Errorf("%w (too long)", ErrInvalidCursor)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return entry{}, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return entry{}, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	switch {
	case c.V != 1:
		return entry{}, fmt.Errorf("%w (unknown version %d)", ErrInvalidCursor, c.V)
	case c.Sort != opts.Sort || c.Desc != opts.Desc:
		return entry{}, fmt.Errorf("%w (it was made for another Sort or Desc)", ErrInvalidCursor)
	case c.Nsec < 0 || c.Nsec > 999_999_999:
		return entry{}, fmt.Errorf("%w (bad time)", ErrInvalidCursor)
	case checkName(c.Name) != nil:
		return entry{}, fmt.Errorf("%w (bad name)", ErrInvalidCursor)
	}
	pos := entry{rec: &Record{Name: c.Name}}
	if c.Damaged {
		pos.dmg = &DamagedError{Name: c.Name}
	} else if !c.Zero && (c.Sort == SortByExpiry || c.Sort == SortByCreated) {
		t := time.Unix(c.Sec, int64(c.Nsec)).UTC()
		pos.rec.ExpiresAt, pos.rec.CreatedAt = t, t
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

// compareEntries orders a and b as List does for opts: by the sort key,
// then by name, the whole order reversed when opts.Desc is set. A damaged
// record has no sort key: in name order it keeps its place, in the other
// orders it comes after every readable record.
func compareEntries(a, b entry, opts ListOptions) int {
	c := 0
	switch ad, bd := a.dmg != nil, b.dmg != nil; {
	case opts.Sort == SortByName:
	case ad && !bd:
		c = 1
	case !ad && bd:
		c = -1
	case !ad && !bd:
		c = compareKeys(a.rec, b.rec, opts.Sort)
	}
	if c == 0 {
		c = strings.Compare(a.rec.Name, b.rec.Name)
	}
	if opts.Desc {
		c = -c
	}
	return c
}

// compareKeys compares the sort keys of two readable records: ExpiresAt
// (zero last) or CreatedAt; 0 in name order.
func compareKeys(a, b *Record, f SortField) int {
	switch f {
	case SortByExpiry:
		az, bz := a.ExpiresAt.IsZero(), b.ExpiresAt.IsZero()
		switch {
		case az && !bz:
			return 1
		case !az && bz:
			return -1
		case !az && !bz:
			return a.ExpiresAt.Compare(b.ExpiresAt)
		}
	case SortByCreated:
		return a.CreatedAt.Compare(b.CreatedAt)
	}
	return 0
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

// paginate sorts matching (entries already filtered by opts.Filter), and
// returns the page selected by opts. It does not copy the records.
func paginate(matching []entry, opts ListOptions) (*ListResult, error) {
	limit, err := checkListOptions(opts)
	if err != nil {
		return nil, err
	}
	var pos entry
	if opts.Cursor != "" {
		if pos, err = decodeCursor(opts.Cursor, opts); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(matching, func(a, b entry) int { return compareEntries(a, b, opts) })
	start := 0
	if pos.rec != nil {
		start, _ = slices.BinarySearchFunc(matching, pos, func(e, t entry) int {
			if compareEntries(e, t, opts) <= 0 {
				return -1
			}
			return 1
		})
	}
	end := min(start+limit, len(matching))
	res := &ListResult{Total: len(matching)}
	for _, e := range matching[start:end] {
		res.add(e)
	}
	if end < len(matching) && end > start {
		res.NextCursor = encodeCursor(matching[end-1], opts)
	}
	return res, nil
}

// matchFilter reports whether a record named name is kept by opts.Filter.
func matchFilter(name string, opts ListOptions) bool {
	return strings.Contains(name, opts.Filter)
}

// matchLabels reports whether rec is kept by opts.Labels.
func matchLabels(rec *Record, opts ListOptions) bool {
	for k, v := range opts.Labels {
		if got, ok := rec.Labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}
