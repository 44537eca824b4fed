package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var nameSeeds = []string{
	"example.com", "*.example.com", "+.example.com", "_acme-challenge.example.com", "../x", "a/b", "",
	"a\x00b", strings.Repeat("a", 300), "Example.com", ".", "..", "*", "*.", "a..b", "-a.com", "xn--bcher-kva.de",
	"+tmp-x", "+del-x", "a.*.com", "localhost",
}

// FuzzFSName checks the record name to path mapping: every accepted name
// maps to one directory directly inside hosts/ and back, and everything
// else is ErrInvalidName.
func FuzzFSName(f *testing.F) {
	for _, s := range nameSeeds {
		f.Add(s)
	}
	s := &FS{dir: "/store"}
	f.Fuzz(func(t *testing.T, name string) {
		dir, err := s.hostDir(name)
		lock, lerr := s.lockPath(name)
		if CheckName(name) != nil {
			require.ErrorIs(t, err, ErrInvalidName)
			if checkKey(name) != "" {
				require.ErrorIs(t, lerr, ErrInvalidName)
			}
		} else {
			require.NoError(t, err)
			require.Equal(t, "/store/hosts", filepath.Dir(dir))
			base := filepath.Base(dir)
			require.NotContains(t, []string{".", "..", ""}, base)
			require.LessOrEqual(t, len(base), 255)
			require.False(t, strings.HasPrefix(base, tempPrefix) || strings.HasPrefix(base, deletedPrefix))
			got, ok := decodeName(base)
			require.True(t, ok)
			require.Equal(t, name, got)
			require.NoError(t, lerr)
		}
		if lerr == nil {
			require.Equal(t, "/store/locks", filepath.Dir(lock))
			require.True(t, strings.HasSuffix(lock, lockSuffix))
			require.LessOrEqual(t, len(filepath.Base(lock)), 255)
		}
		// Decoding is the inverse of encoding: no two directory names
		// decode to the same record name.
		if got, ok := decodeName(name); ok {
			require.Equal(t, name, encodeName(got))
		}
	})
}

// FuzzFSBlobKey checks the blob key to path mapping: every accepted key
// maps to a clean path inside blobs/ that gives the key back, and
// everything else is ErrInvalidName.
func FuzzFSBlobKey(f *testing.F) {
	for _, s := range append(nameSeeds, "acme/account.json", "a//b", "/a", "a/", "a/./b", "a/../b", "A/B.c_d-e") {
		f.Add(s)
	}
	s := &FS{dir: "/store"}
	f.Fuzz(func(t *testing.T, key string) {
		p, err := s.blobPath(key)
		if CheckKey(key) != nil {
			require.ErrorIs(t, err, ErrInvalidName)
			return
		}
		require.NoError(t, err)
		require.Equal(t, filepath.Clean(p), p)
		rel, err := filepath.Rel("/store/blobs", p)
		require.NoError(t, err)
		segs := strings.Split(rel, string(filepath.Separator))
		for i, seg := range segs {
			require.NotEqual(t, "..", seg)
			require.False(t, strings.HasPrefix(seg, tempPrefix))
			if i < len(segs)-1 {
				require.True(t, strings.HasSuffix(seg, blobDirSuffix), "directory %q lacks the suffix", seg)
				segs[i] = strings.TrimSuffix(seg, blobDirSuffix)
			} else {
				require.NotContains(t, seg, blobDirSuffix)
			}
		}
		require.Equal(t, key, strings.Join(segs, "/"))
	})
}

// FuzzCursor checks that List cursor decoding rejects garbage with
// ErrInvalidCursor, never panics, and that encoding round-trips.
func FuzzCursor(f *testing.F) {
	recs := []*Record{{Name: "a.test"}, {Name: "b.test", ExpiresAt: time.Unix(5, 0)}, {Name: "c.test", CreatedAt: time.Unix(-5, 7)}}
	for _, sort := range []SortField{SortByName, SortByExpiry, SortByCreated} {
		for _, r := range recs {
			f.Add(encodeCursor(r, ListOptions{Sort: sort}), int(sort), false)
			f.Add(encodeCursor(r, ListOptions{Sort: sort, Desc: true}), int(sort), true)
		}
	}
	f.Add("", 0, false)
	f.Add("not base64!", 0, false)
	f.Add("eyJ2IjoxLCJzIjowLCJrIjoiLi4vLi4ifQ", 0, false) // {"v":1,"s":0,"k":"../.."}
	f.Add("eyJ2IjoxLCJzIjoxLCJuIjotMSwiayI6ImEuY29tIn0", 1, false)
	f.Fuzz(func(t *testing.T, cursor string, sort int, desc bool) {
		opts := ListOptions{Cursor: cursor, Sort: SortField(sort % 3), Desc: desc, Limit: 2}
		pos, err := decodeCursor(cursor, opts)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidCursor)
			return
		}
		require.NoError(t, CheckName(pos.Name))
		again, err := decodeCursor(encodeCursor(pos, opts), opts)
		require.NoError(t, err)
		require.Zero(t, compareRecords(pos, again, opts), "cursor does not round-trip")
		res, err := paginate(append([]*Record(nil), recs...), opts)
		require.NoError(t, err)
		for _, r := range res.Records {
			require.Positive(t, compareRecords(r, pos, opts), "page starts before the cursor")
		}
	})
}
