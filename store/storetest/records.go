package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

// sampleRecord returns a record with every field set.
func sampleRecord(name string) *store.Record {
	base := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.UTC)
	return &store.Record{
		Name:      name,
		CreatedAt: base,
		UpdatedAt: base.Add(time.Hour),
		ExpiresAt: base.Add(90 * 24 * time.Hour).In(time.FixedZone("X", 3600)),
		Data:      []byte(`{"state":"` + name + `"}`),
		Labels:    map[string]string{"tenant": "t-" + name},
		Secrets: map[string][]byte{
			"custom.key":  []byte("-----BEGIN PRIVATE KEY-----\n" + name),
			"account.key": {0, 1, 2, 255},
			"empty":       {},
		},
	}
}

// requireSameRecord fails unless got holds the same values as want, with
// times compared by instant.
func requireSameRecord(t *testing.T, want, got *store.Record) {
	t.Helper()
	require.NotNil(t, got)
	require.Equal(t, want.Name, got.Name)
	require.Truef(t, want.CreatedAt.Equal(got.CreatedAt), "CreatedAt: want %v, got %v", want.CreatedAt, got.CreatedAt)
	require.Truef(t, want.UpdatedAt.Equal(got.UpdatedAt), "UpdatedAt: want %v, got %v", want.UpdatedAt, got.UpdatedAt)
	require.Truef(t, want.ExpiresAt.Equal(got.ExpiresAt), "ExpiresAt: want %v, got %v", want.ExpiresAt, got.ExpiresAt)
	require.Equal(t, string(want.Data), string(got.Data))
	require.Equal(t, want.Labels, got.Labels)
	require.Len(t, got.Secrets, len(want.Secrets))
	for k, v := range want.Secrets {
		require.Containsf(t, got.Secrets, k, "secret %s", k)
		require.Equalf(t, string(v), string(got.Secrets[k]), "secret %s", k)
	}
}

func testRecords(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()
	t.Run("get missing is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Get(ctx, "missing.example.com")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.True(t, strings.HasPrefix(err.Error(), "store: "), err.Error())
	})
	names := []string{"example.com", "*.example.com", "_acme-challenge.a-b.example.co.uk", "xn--bcher-kva.example", "localhost"}
	for _, name := range names {
		t.Run("round trip "+name, func(t *testing.T) {
			s := newStore(t)
			want := sampleRecord(name)
			require.NoError(t, s.Put(ctx, want))
			got, err := s.Get(ctx, name)
			require.NoError(t, err)
			requireSameRecord(t, want, got)
		})
	}
	t.Run("round trip of zero fields", func(t *testing.T) {
		s := newStore(t)
		want := &store.Record{Name: "zero.example.com"}
		require.NoError(t, s.Put(ctx, want))
		got, err := s.Get(ctx, want.Name)
		require.NoError(t, err)
		requireSameRecord(t, want, got)
		require.True(t, got.ExpiresAt.IsZero())
	})
	t.Run("wildcard and apex are distinct", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Put(ctx, sampleRecord("example.com")))
		_, err := s.Get(ctx, "*.example.com")
		require.ErrorIs(t, err, store.ErrNotFound)
	})
	t.Run("overwrite replaces every field", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Put(ctx, sampleRecord("example.com")))
		second := &store.Record{
			Name:      "example.com",
			CreatedAt: time.Unix(10, 0),
			UpdatedAt: time.Unix(20, 0),
			Data:      []byte("v2"),
			Secrets:   map[string][]byte{"other.key": []byte("k2")},
		}
		require.NoError(t, s.Put(ctx, second))
		got, err := s.Get(ctx, "example.com")
		require.NoError(t, err)
		requireSameRecord(t, second, got)
	})
	t.Run("delete", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Put(ctx, sampleRecord("example.com")))
		require.NoError(t, s.Put(ctx, sampleRecord("keep.example.com")))
		require.NoError(t, s.Delete(ctx, "example.com"))
		_, err := s.Get(ctx, "example.com")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.Get(ctx, "keep.example.com")
		require.NoError(t, err, "delete removed another record")
		res, err := s.List(ctx, store.ListOptions{})
		require.NoError(t, err)
		require.Equal(t, 1, res.Total)
	})
	t.Run("delete missing is nil", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Delete(ctx, "missing.example.com"))
	})
	t.Run("put after delete", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.Put(ctx, sampleRecord("example.com")))
		require.NoError(t, s.Delete(ctx, "example.com"))
		want := sampleRecord("example.com")
		want.Data = []byte("again")
		require.NoError(t, s.Put(ctx, want))
		got, err := s.Get(ctx, "example.com")
		require.NoError(t, err)
		requireSameRecord(t, want, got)
	})
	t.Run("put nil record fails", func(t *testing.T) {
		s := newStore(t)
		require.Error(t, s.Put(ctx, nil))
	})
}

func testInvalidNames(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()
	bad := map[string]string{
		"traversal":          "../x",
		"slash":              "a/b",
		"empty":              "",
		"NUL":                "a\x00b.com",
		"300 chars":          strings.Repeat("a", 300),
		"uppercase":          "Example.com",
		"dot":                ".",
		"dotdot":             "..",
		"empty label":        "a..b.com",
		"leading dot":        ".example.com",
		"trailing dot":       "example.com.",
		"inner wildcard":     "a.*.example.com",
		"double wildcard":    "*.*.example.com",
		"bare wildcard":      "*",
		"space":              "a b.com",
		"backslash":          `a\b.com`,
		"long label":         strings.Repeat("a", 64) + ".com",
		"leading hyphen":     "-a.com",
		"encoded wildcard":   "+.example.com",
		"unicode":            "bücher.example",
		"percent":            "a%2fb.com",
		"colon":              "example.com:443",
		"absolute":           "/etc/passwd",
		"windows traversal":  `..\x`,
		"trailing newline":   "example.com\n",
		"wildcard no domain": "*.",
	}
	for label, name := range bad {
		t.Run(label, func(t *testing.T) {
			s := newStore(t)
			_, err := s.Get(ctx, name)
			require.ErrorIs(t, err, store.ErrInvalidName, "Get")
			require.ErrorIs(t, s.Put(ctx, &store.Record{Name: name}), store.ErrInvalidName, "Put")
			require.ErrorIs(t, s.Delete(ctx, name), store.ErrInvalidName, "Delete")
			res, err := s.List(ctx, store.ListOptions{})
			require.NoError(t, err)
			require.Zero(t, res.Total, "a rejected Put stored something")
		})
	}
	t.Run("longest valid name is accepted", func(t *testing.T) {
		s := newStore(t)
		label := strings.Repeat("a", 63)
		name := "*." + label + "." + label + "." + label + "." + strings.Repeat("b", 59)
		require.Len(t, name, 253)
		require.NoError(t, s.Put(ctx, &store.Record{Name: name}))
		_, err := s.Get(ctx, name)
		require.NoError(t, err)
		require.ErrorIs(t, s.Put(ctx, &store.Record{Name: name + "b"}), store.ErrInvalidName, "254 bytes")
	})
}
