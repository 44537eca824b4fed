package pgstore

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// TestVersionedWrites walks a record through versioned and plain writes;
// each step names the behaviour.
func TestVersionedWrites(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := ctxT(t)
	const name = "example.com"
	rec := func(data string) *store.Record { return &store.Record{Name: name, Data: []byte(data)} }
	var v1, v2, v3 int64
	steps := []struct {
		name string
		run  func() error
		want error // nil: success
		data string
	}{
		{"PutIf with 0 creates a missing record", func() (err error) { v1, err = s.PutIf(ctx, rec("one"), 0); return err }, nil, "one"},
		{"PutIf with 0 refuses an existing record", func() error { _, err := s.PutIf(ctx, rec("x"), 0); return err }, ErrConflict, "one"},
		{"PutIf with the version read replaces", func() (err error) { v2, err = s.PutIf(ctx, rec("two"), v1); return err }, nil, "two"},
		{"PutIf with an older version is refused", func() error { _, err := s.PutIf(ctx, rec("x"), v1); return err }, ErrConflict, "two"},
		{"a plain Put is unconditional and changes the version", func() error { return s.Put(ctx, rec("three")) }, nil, "three"},
		{"so the version read before it is stale", func() error { _, err := s.PutIf(ctx, rec("x"), v2); return err }, ErrConflict, "three"},
		{"DeleteIf with a stale version is refused", func() error { return s.DeleteIf(ctx, name, v2) }, ErrConflict, "three"},
		{"GetVersion returns the current version", func() (err error) { _, v3, err = s.GetVersion(ctx, name); return err }, nil, "three"},
		{"DeleteIf with the current version deletes", func() error { return s.DeleteIf(ctx, name, v3) }, nil, ""},
		{"DeleteIf of a missing record is refused", func() error { return s.DeleteIf(ctx, name, v3) }, ErrConflict, ""},
		{"PutIf with an old version does not resurrect it", func() error { _, err := s.PutIf(ctx, rec("x"), v3); return err }, ErrConflict, ""},
		{"PutIf with 0 creates it again", func() error { _, err := s.PutIf(ctx, rec("again"), 0); return err }, nil, "again"},
		{"versions are never reused: the first one stays stale", func() error { _, err := s.PutIf(ctx, rec("x"), v1); return err }, ErrConflict, "again"},
	}
	for _, st := range steps {
		err := st.run()
		if st.want == nil {
			require.NoError(t, err, st.name)
		} else {
			require.ErrorIs(t, err, st.want, st.name)
			require.Contains(t, err.Error(), "read it again", st.name)
		}
		got, err := s.Get(ctx, name)
		if st.data == "" {
			require.ErrorIs(t, err, store.ErrNotFound, st.name)
			continue
		}
		require.NoError(t, err, st.name)
		require.Equal(t, st.data, string(got.Data), st.name)
	}
	require.Less(t, v1, v2)
	require.Less(t, v2, v3)
}

// TestVersionedBadArguments: versions out of range and invalid names are
// refused without touching the database.
func TestVersionedBadArguments(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := ctxT(t)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"negative version", func() error { _, err := s.PutIf(ctx, &store.Record{Name: "a.test"}, -1); return err }()},
		{"DeleteIf with version 0", s.DeleteIf(ctx, "a.test", 0)},
		{"nil record", func() error { _, err := s.PutIf(ctx, nil, 0); return err }()},
	} {
		require.Error(t, tc.err, tc.name)
		require.NotErrorIs(t, tc.err, ErrConflict, tc.name)
	}
	_, err := s.PutIf(ctx, &store.Record{Name: "Bad Name"}, 0)
	require.ErrorIs(t, err, store.ErrInvalidName)
	require.ErrorIs(t, s.DeleteIf(ctx, "../x", 1), store.ErrInvalidName)
	_, _, err = s.GetVersion(ctx, "missing.test")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// TestLabelsJSONCannotHold: labels PostgreSQL's jsonb would alter or
// refuse are refused with a message saying why, and nothing is stored.
func TestLabelsJSONCannotHold(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := ctxT(t)
	for label, labels := range map[string]map[string]string{
		"invalid UTF-8 value": {"tenant": "a\xffb"},
		"invalid UTF-8 key":   {"\xff": "a"},
		"NUL":                 {"tenant": "a\x00b"},
	} {
		err := s.Put(ctx, &store.Record{Name: "example.com", Labels: labels})
		require.ErrorContains(t, err, "valid UTF-8 without NUL", label)
		_, err = s.Get(ctx, "example.com")
		require.ErrorIs(t, err, store.ErrNotFound, label)
	}
	labels := map[string]string{"tenant": "Zürich ☃", "": "", "quote\"": "{}"}
	require.NoError(t, s.Put(ctx, &store.Record{Name: "example.com", Labels: labels}))
	got, err := s.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, labels, got.Labels)
}
