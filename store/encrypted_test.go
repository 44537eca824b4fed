package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustKey(t *testing.T, id string) Key {
	t.Helper()
	k, err := GenerateKey(id)
	require.NoError(t, err)
	return k
}

func mustEncrypted(t *testing.T, inner Store, primary Key, previous ...Key) Store {
	t.Helper()
	s, err := NewEncrypted(inner, primary, previous...)
	require.NoError(t, err)
	return s
}

var plainSecret = []byte("-----BEGIN PRIVATE KEY-----\nsecret material\n")

func secretRecord(name string) *Record {
	return &Record{Name: name, Data: []byte("public data"), Secrets: map[string][]byte{"custom.key": plainSecret, "other": []byte("x")}}
}

func TestEncryptedSealsAtRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fsys := newTestFS(t)
	s := mustEncrypted(t, fsys, mustKey(t, "k1"))
	require.NoError(t, s.Put(ctx, secretRecord("example.com")))
	require.NoError(t, s.PutBlob(ctx, "acme/account.key", plainSecret))

	raw, err := fsys.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, "public data", string(raw.Data), "Data must stay readable")
	for name, v := range raw.Secrets {
		require.True(t, isSealed(v), "secret %s is not sealed", name)
	}
	blob, err := fsys.GetBlob(ctx, "acme/account.key")
	require.NoError(t, err)
	require.True(t, isSealed(blob))
	// No file under the store holds the plaintext, in any encoding.
	require.NoError(t, filepath.WalkDir(fsys.Dir(), func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		for _, enc := range [][]byte{plainSecret, []byte(base64.StdEncoding.EncodeToString(plainSecret)), []byte("secret material")} {
			require.False(t, bytes.Contains(b, enc), "%s holds the plaintext secret", p)
		}
		return nil
	}))

	got, err := s.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, plainSecret, got.Secrets["custom.key"])
	b, err := s.GetBlob(ctx, "acme/account.key")
	require.NoError(t, err)
	require.Equal(t, plainSecret, b)
}

func TestEncryptedKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := NewMemory()
	k1, k2 := mustKey(t, "k1"), mustKey(t, "k2")
	require.NoError(t, mustEncrypted(t, inner, k1).Put(ctx, secretRecord("example.com")))
	require.NoError(t, mustEncrypted(t, inner, k1).PutBlob(ctx, "b", plainSecret))

	rotated := mustEncrypted(t, inner, k2, k1)
	got, err := rotated.Get(ctx, "example.com")
	require.NoError(t, err, "a previous key must open old values")
	require.Equal(t, plainSecret, got.Secrets["custom.key"])
	_, err = rotated.GetBlob(ctx, "b")
	require.NoError(t, err)

	onlyNew := mustEncrypted(t, inner, k2)
	_, err = onlyNew.Get(ctx, "example.com")
	var de *DecryptError
	require.ErrorIs(t, err, ErrDecrypt)
	require.ErrorAs(t, err, &de)
	require.Equal(t, "k1", de.KeyID)
	require.Contains(t, de.Name, "example.com")
	_, err = onlyNew.List(ctx, ListOptions{})
	require.ErrorIs(t, err, ErrDecrypt)
	_, err = onlyNew.GetBlob(ctx, "b")
	require.ErrorAs(t, err, &de)
	require.Equal(t, "k1", de.KeyID)
	require.Equal(t, "blob b", de.Name)

	// Rewriting through the rotated store re-seals with the primary key.
	require.NoError(t, rotated.Put(ctx, got))
	require.NoError(t, rotated.PutBlob(ctx, "b", plainSecret))
	got, err = onlyNew.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, plainSecret, got.Secrets["custom.key"])
	_, err = onlyNew.GetBlob(ctx, "b")
	require.NoError(t, err)
}

func TestEncryptedRejectsTamperingAndSwaps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := mustKey(t, "k1")
	setup := func(t *testing.T) (*Memory, Store) {
		inner := NewMemory()
		s := mustEncrypted(t, inner, key)
		require.NoError(t, s.Put(ctx, secretRecord("a.example.com")))
		require.NoError(t, s.Put(ctx, secretRecord("b.example.com")))
		require.NoError(t, s.PutBlob(ctx, "blob/a", plainSecret))
		return inner, s
	}
	rawRecord := func(t *testing.T, inner *Memory, name string) *Record {
		r, err := inner.Get(ctx, name)
		require.NoError(t, err)
		return r
	}
	rawBlob := func(t *testing.T, inner *Memory, key string) []byte {
		b, err := inner.GetBlob(ctx, key)
		require.NoError(t, err)
		return b
	}
	recordCases := map[string]func(t *testing.T, inner *Memory){
		"secret moved to another record": func(t *testing.T, inner *Memory) {
			b := rawRecord(t, inner, "b.example.com")
			b.Secrets["custom.key"] = rawRecord(t, inner, "a.example.com").Secrets["custom.key"]
			require.NoError(t, inner.Put(ctx, b))
		},
		"secrets swapped within a record": func(t *testing.T, inner *Memory) {
			b := rawRecord(t, inner, "b.example.com")
			b.Secrets["custom.key"], b.Secrets["other"] = b.Secrets["other"], b.Secrets["custom.key"]
			require.NoError(t, inner.Put(ctx, b))
		},
		"blob moved into a record": func(t *testing.T, inner *Memory) {
			b := rawRecord(t, inner, "b.example.com")
			b.Secrets["custom.key"] = rawBlob(t, inner, "blob/a")
			require.NoError(t, inner.Put(ctx, b))
		},
		"ciphertext bit flipped": func(t *testing.T, inner *Memory) {
			b := rawRecord(t, inner, "b.example.com")
			v := b.Secrets["custom.key"]
			v[len(v)-20] ^= 1
			require.NoError(t, inner.Put(ctx, b))
		},
		"truncated": func(t *testing.T, inner *Memory) {
			b := rawRecord(t, inner, "b.example.com")
			b.Secrets["custom.key"] = b.Secrets["custom.key"][:len(sealMagic)+3]
			require.NoError(t, inner.Put(ctx, b))
		},
		"unknown version": func(t *testing.T, inner *Memory) {
			b := rawRecord(t, inner, "b.example.com")
			b.Secrets["custom.key"][len(sealMagic)] = 9
			require.NoError(t, inner.Put(ctx, b))
		},
		"key ID changed": func(t *testing.T, inner *Memory) {
			b := rawRecord(t, inner, "b.example.com")
			b.Secrets["custom.key"][len(sealMagic)+2] = 'x' // "k1" -> "x1": unknown key
			require.NoError(t, inner.Put(ctx, b))
		},
	}
	for label, tamper := range recordCases {
		t.Run(label, func(t *testing.T) {
			inner, s := setup(t)
			tamper(t, inner)
			_, err := s.Get(ctx, "b.example.com")
			require.ErrorIs(t, err, ErrDecrypt)
			var de *DecryptError
			require.ErrorAs(t, err, &de)
			require.Contains(t, de.Name, "b.example.com")
			require.NotContains(t, err.Error(), string(plainSecret))
			_, err = s.Get(ctx, "a.example.com")
			require.NoError(t, err, "an untouched record became unreadable")
		})
	}
	t.Run("blob moved to another key", func(t *testing.T) {
		inner, s := setup(t)
		require.NoError(t, inner.PutBlob(ctx, "blob/b", rawBlob(t, inner, "blob/a")))
		_, err := s.GetBlob(ctx, "blob/b")
		require.ErrorIs(t, err, ErrDecrypt)
	})
	t.Run("another key with the same ID", func(t *testing.T) {
		inner, _ := setup(t)
		_, err := mustEncrypted(t, inner, mustKey(t, "k1")).Get(ctx, "a.example.com")
		var de *DecryptError
		require.ErrorAs(t, err, &de)
		require.Equal(t, "k1", de.KeyID)
	})
}

func TestEncryptedReadsPlaintextAndSealsOnWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inner := NewMemory()
	require.NoError(t, inner.Put(ctx, secretRecord("example.com")))
	require.NoError(t, inner.PutBlob(ctx, "b", plainSecret))
	s := mustEncrypted(t, inner, mustKey(t, "k1"))

	got, err := s.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, plainSecret, got.Secrets["custom.key"])
	b, err := s.GetBlob(ctx, "b")
	require.NoError(t, err)
	require.Equal(t, plainSecret, b)

	require.NoError(t, s.Put(ctx, got))
	require.NoError(t, s.PutBlob(ctx, "b", b))
	raw, err := inner.Get(ctx, "example.com")
	require.NoError(t, err)
	require.True(t, isSealed(raw.Secrets["custom.key"]))
	rawBlob, err := inner.GetBlob(ctx, "b")
	require.NoError(t, err)
	require.True(t, isSealed(rawBlob))
}

// plainStore hides every method but those of Store.
type plainStore struct{ Store }

func TestEncryptedLockerDiscovery(t *testing.T) {
	t.Parallel()
	key := mustKey(t, "k1")
	_, ok := mustEncrypted(t, NewMemory(), key).(Locker)
	require.True(t, ok, "a Memory is a Locker, so Encrypted(Memory) must be one")
	_, ok = mustEncrypted(t, newTestFS(t), key).(Locker)
	require.True(t, ok)
	_, ok = mustEncrypted(t, plainStore{NewMemory()}, key).(Locker)
	require.False(t, ok, "Encrypted must not claim to lock over a store that cannot")
}

func TestNewEncryptedInvalidKeys(t *testing.T) {
	t.Parallel()
	good := mustKey(t, "good")
	cases := map[string]struct {
		primary  Key
		previous []Key
	}{
		"empty ID":                   {primary: Key{Secret: good.Secret}},
		"ID with a slash":            {primary: Key{ID: "a/b", Secret: good.Secret}},
		"ID too long":                {primary: Key{ID: string(bytes.Repeat([]byte("a"), 65)), Secret: good.Secret}},
		"zero secret":                {primary: Key{ID: "zero"}},
		"primary ID reused":          {primary: good, previous: []Key{mustKey(t, "good")}},
		"duplicate previous":         {primary: good, previous: []Key{mustKey(t, "old"), mustKey(t, "old")}},
		"invalid previous":           {primary: good, previous: []Key{{ID: "", Secret: good.Secret}}},
		"same key twice as previous": {primary: good, previous: []Key{good}},
	}
	for label, tc := range cases {
		t.Run(label, func(t *testing.T) {
			_, err := NewEncrypted(NewMemory(), tc.primary, tc.previous...)
			require.ErrorIs(t, err, ErrInvalidKey)
			var ke *KeyError
			require.ErrorAs(t, err, &ke)
			require.NotContains(t, err.Error(), hex.EncodeToString(good.Secret[:]))
		})
	}
	_, err := NewEncrypted(nil, good)
	require.Error(t, err)
}

func TestKeyNeverShowsSecret(t *testing.T) {
	t.Parallel()
	k := mustKey(t, "prod-2026")
	leaks := []string{string(k.Secret[:]), hex.EncodeToString(k.Secret[:]), base64.StdEncoding.EncodeToString(k.Secret[:]),
		fmt.Sprint(k.Secret[:4]), fmt.Sprint(k.Secret), fmt.Sprintf("%x", k.Secret[:])}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%08.3f"} {
		outputs = append(outputs, fmt.Sprintf(verb, k), fmt.Sprintf(verb, &k), fmt.Sprintf(verb, struct{ K Key }{k}))
	}
	j, err := json.Marshal(struct{ K Key }{k})
	require.NoError(t, err)
	outputs = append(outputs, string(j))
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("key", "key", k)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "key", k)
	outputs = append(outputs, logged.String())
	for _, out := range outputs {
		require.Contains(t, out, "prod-2026")
		for _, leak := range leaks {
			require.NotContains(t, out, leak)
		}
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	secret := bytes.Repeat([]byte{0xfb}, 32)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		k, err := ParseKey("k", " "+enc.EncodeToString(secret)+"\n")
		require.NoError(t, err)
		require.Equal(t, secret, k.Secret[:])
	}
	for label, in := range map[string]string{
		"not base64": "!!!not base64!!!",
		"too short":  base64.StdEncoding.EncodeToString(secret[:16]),
		"too long":   base64.StdEncoding.EncodeToString(append(secret, 1)),
		"zeros":      base64.StdEncoding.EncodeToString(make([]byte, 32)),
	} {
		_, err := ParseKey("k", in)
		require.ErrorIs(t, err, ErrInvalidKey, label)
		require.NotContains(t, err.Error(), in, label)
	}
	_, err := ParseKey("", base64.StdEncoding.EncodeToString(secret))
	require.True(t, errors.Is(err, ErrInvalidKey))
}
