package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/store"
)

func testBlobs(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()
	t.Run("round trip", func(t *testing.T) {
		s := newStore(t)
		blobs := map[string][]byte{
			"account.json": []byte(`{"kid":"x"}`),
			"acme/acme-v02.api.letsencrypt.org/a.json": []byte("account"),
			"Tokens/AbC_-.9":                {0, 1, 2, 255},
			"empty":                         {},
			"x/" + strings.Repeat("k", 200): []byte("long segment"),
		}
		for k, v := range blobs {
			require.NoError(t, s.PutBlob(ctx, k, v), k)
		}
		for k, v := range blobs {
			got, err := s.GetBlob(ctx, k)
			require.NoError(t, err, k)
			require.Equal(t, string(v), string(got), k)
		}
	})
	t.Run("a key can be both a blob and a prefix", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.PutBlob(ctx, "a", []byte("leaf")))
		require.NoError(t, s.PutBlob(ctx, "a/b", []byte("child")))
		require.NoError(t, s.PutBlob(ctx, "c/d", []byte("child")))
		require.NoError(t, s.PutBlob(ctx, "c", []byte("leaf")))
		for k, v := range map[string]string{"a": "leaf", "a/b": "child", "c": "leaf", "c/d": "child"} {
			got, err := s.GetBlob(ctx, k)
			require.NoError(t, err, k)
			require.Equal(t, v, string(got), k)
		}
		_, err := s.GetBlob(ctx, "a/b/c")
		require.ErrorIs(t, err, store.ErrNotFound)
	})
	t.Run("overwrite", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.PutBlob(ctx, "k", []byte("a much longer first value")))
		require.NoError(t, s.PutBlob(ctx, "k", []byte("short")))
		got, err := s.GetBlob(ctx, "k")
		require.NoError(t, err)
		require.Equal(t, "short", string(got))
	})
	t.Run("missing is ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		for _, k := range []string{"missing", "missing/deeper"} {
			_, err := s.GetBlob(ctx, k)
			require.ErrorIs(t, err, store.ErrNotFound, k)
		}
	})
	t.Run("delete", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.PutBlob(ctx, "dir/k", []byte("v")))
		require.NoError(t, s.PutBlob(ctx, "dir/keep", []byte("v")))
		require.NoError(t, s.DeleteBlob(ctx, "dir/k"))
		_, err := s.GetBlob(ctx, "dir/k")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetBlob(ctx, "dir/keep")
		require.NoError(t, err)
		require.NoError(t, s.DeleteBlob(ctx, "dir/k"), "delete twice")
		require.NoError(t, s.DeleteBlob(ctx, "never/existed"))
	})
	t.Run("blobs and records are separate", func(t *testing.T) {
		s := newStore(t)
		require.NoError(t, s.PutBlob(ctx, "example.com", []byte("blob")))
		_, err := s.Get(ctx, "example.com")
		require.ErrorIs(t, err, store.ErrNotFound)
		res, err := s.List(ctx, store.ListOptions{})
		require.NoError(t, err)
		require.Zero(t, res.Total)
	})
	bad := map[string]string{
		"empty":            "",
		"traversal":        "../x",
		"inner traversal":  "a/../../x",
		"dot segment":      "a/./b",
		"dot":              ".",
		"leading slash":    "/a",
		"trailing slash":   "a/",
		"double slash":     "a//b",
		"NUL":              "a\x00b",
		"space":            "a b",
		"backslash":        `a\b`,
		"too long":         strings.Repeat("a/", 600) + "a",
		"segment too long": strings.Repeat("a", 201),
		"unicode":          "ключ",
		"plus":             "a+b",
	}
	for label, key := range bad {
		t.Run("invalid key "+label, func(t *testing.T) {
			s := newStore(t)
			require.ErrorIs(t, s.PutBlob(ctx, key, []byte("x")), store.ErrInvalidName, "PutBlob")
			_, err := s.GetBlob(ctx, key)
			require.ErrorIs(t, err, store.ErrInvalidName, "GetBlob")
			require.ErrorIs(t, s.DeleteBlob(ctx, key), store.ErrInvalidName, "DeleteBlob")
		})
	}
}

func testCopies(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := newStore(t)
	in := sampleRecord("example.com")
	want := in.Clone()
	require.NoError(t, s.Put(ctx, in))
	// Mutating what was passed to Put must not reach the store.
	in.Data[0] = 'X'
	in.Secrets["custom.key"][0] = 'X'
	in.Secrets["new"] = []byte("added")
	got, err := s.Get(ctx, "example.com")
	require.NoError(t, err)
	requireSameRecord(t, want, got)
	// Nor mutating what Get returned.
	got.Data[0] = 'Y'
	got.Secrets["custom.key"][0] = 'Y'
	delete(got.Secrets, "account.key")
	again, err := s.Get(ctx, "example.com")
	require.NoError(t, err)
	requireSameRecord(t, want, again)
	// Nor mutating what List returned.
	res, err := s.List(ctx, store.ListOptions{})
	require.NoError(t, err)
	require.Len(t, res.Records, 1)
	res.Records[0].Data[0] = 'Z'
	res.Records[0].Secrets["custom.key"][0] = 'Z'
	again, err = s.Get(ctx, "example.com")
	require.NoError(t, err)
	requireSameRecord(t, want, again)

	blob := []byte("blob")
	require.NoError(t, s.PutBlob(ctx, "k", blob))
	blob[0] = 'X'
	b, err := s.GetBlob(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "blob", string(b))
	b[0] = 'Y'
	b, err = s.GetBlob(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "blob", string(b))
}

func testCancelled(t *testing.T, newStore func(t *testing.T) store.Store) {
	s := newStore(t)
	require.NoError(t, s.Put(context.Background(), sampleRecord("example.com")))
	require.NoError(t, s.PutBlob(context.Background(), "k", []byte("v")))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Get":        func() error { _, err := s.Get(ctx, "example.com"); return err },
		"Put":        func() error { return s.Put(ctx, sampleRecord("new.example.com")) },
		"Delete":     func() error { return s.Delete(ctx, "example.com") },
		"List":       func() error { _, err := s.List(ctx, store.ListOptions{}); return err },
		"GetBlob":    func() error { _, err := s.GetBlob(ctx, "k"); return err },
		"PutBlob":    func() error { return s.PutBlob(ctx, "k2", []byte("v")) },
		"DeleteBlob": func() error { return s.DeleteBlob(ctx, "k") },
	}
	if l, ok := s.(store.Locker); ok {
		calls["Lock"] = func() error { _, err := l.Lock(ctx, "example.com"); return err }
	}
	for name, call := range calls {
		require.ErrorIs(t, call(), context.Canceled, name)
	}
	// Nothing was changed by the cancelled calls.
	bg := context.Background()
	_, err := s.Get(bg, "example.com")
	require.NoError(t, err, "cancelled Delete deleted")
	_, err = s.Get(bg, "new.example.com")
	require.ErrorIs(t, err, store.ErrNotFound, "cancelled Put stored")
	_, err = s.GetBlob(bg, "k")
	require.NoError(t, err, "cancelled DeleteBlob deleted")
}
