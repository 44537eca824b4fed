package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
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
// ErrInvalidCursor, never panics, and that encoding round-trips, damaged
// entries included.
func FuzzCursor(f *testing.F) {
	entries := []entry{
		{rec: &Record{Name: "a.test"}},
		{rec: &Record{Name: "b.test", ExpiresAt: time.Unix(5, 0)}},
		{rec: &Record{Name: "c.test", CreatedAt: time.Unix(-5, 7)}},
		{rec: &Record{Name: "d.test"}, dmg: &DamagedError{Name: "d.test"}},
		{rec: &Record{Name: "0.test"}, dmg: &DamagedError{Name: "0.test"}},
	}
	for _, sort := range []SortField{SortByName, SortByExpiry, SortByCreated} {
		for _, e := range entries {
			f.Add(encodeCursor(e, ListOptions{Sort: sort}), int(sort), false)
			f.Add(encodeCursor(e, ListOptions{Sort: sort, Desc: true}), int(sort), true)
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
		require.NoError(t, CheckName(pos.rec.Name))
		again, err := decodeCursor(encodeCursor(pos, opts), opts)
		require.NoError(t, err)
		require.Zero(t, compareEntries(pos, again, opts), "cursor does not round-trip")
		res, err := paginate(append([]entry(nil), entries...), opts)
		require.NoError(t, err)
		for _, r := range res.Records {
			require.Positive(t, compareEntries(entry{rec: r}, pos, opts), "page starts before the cursor")
		}
		for _, d := range res.Damaged {
			require.Positive(t, compareEntries(entry{rec: &Record{Name: d.Name}, dmg: d}, pos, opts), "page starts before the cursor")
		}
	})
}

// FuzzParseRecord feeds arbitrary record file content (damaged files are
// outside input) to the FS record parser: it never panics, a record it
// accepts has the right name and round-trips, and the error for one it
// rejects never quotes the content.
func FuzzParseRecord(f *testing.F) {
	good, err := encodeRecord(&Record{Name: "example.com", CreatedAt: time.Unix(5, 0), Data: []byte("{}"),
		Secrets: map[string][]byte{"custom.key": []byte("PRIVATE-KEY-BYTES")}})
	require.NoError(f, err)
	for _, s := range []string{string(good), string(good[:len(good)/2]), "", " ", "null", "[]", `"s"`, "{}", "\x00\xff",
		`{"version":1,"name":"other.com"}`, `{"version":2,"name":"example.com"}`,
		`{"version":1,"name":"example.com","secrets":{"k":12345678901234}}`,
		`{"version":1,"name":"example.com","secrets":{"k":"not base64!!"}}`,
		`{"version":1,"name":"example.com","created_at":"yesterday-SECRET"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := parseRecord(b, "example.com")
		if err == nil {
			require.Equal(t, "example.com", rec.Name)
			again, err := encodeRecord(rec)
			require.NoError(t, err)
			back, err := parseRecord(again, "example.com")
			require.NoError(t, err)
			require.Equal(t, rec.Secrets, back.Secrets)
			return
		}
		msg := (&DamagedError{Name: "example.com", Path: "/p", Err: err}).Error()
		if len(b) >= 12 {
			require.NotContains(t, msg, string(b), "the error quotes the file")
		}
		var named struct{ Name string } // the one value an error quotes: a mismatched name
		if bytes.Contains(b, []byte("SECRET")) && (json.Unmarshal(b, &named) != nil || !strings.Contains(named.Name, "SECRET")) {
			require.NotContains(t, msg, "SECRET", "the error quotes the file")
		}
	})
}

// FuzzParseProcStat checks the /proc/<pid>/stat parser of the lock
// takeover: it never panics on any content, and finds the state and start
// time of well-formed lines whatever the command name holds (spaces,
// parentheses, digits).
func FuzzParseProcStat(f *testing.F) {
	self, err := os.ReadFile("/proc/self/stat")
	if err == nil {
		f.Add(self, "x", byte('S'), uint64(1))
	}
	f.Add([]byte("1 (a) R"), "a) R 1 2 (", byte('Z'), uint64(97856))
	f.Add([]byte(""), "", byte('S'), uint64(0))
	f.Fuzz(func(t *testing.T, raw []byte, comm string, state byte, start uint64) {
		if _, s, err := parseProcStat(raw); err == nil {
			require.NotZero(t, s)
		}
		if start == 0 || !(state >= 'A' && state <= 'Z' || state >= 'a' && state <= 'z') {
			return
		}
		fields := strings.Repeat("0 ", 18) // fields 4 to 21
		line := fmt.Sprintf("4242 (%s) %c %s%d 0 0 0\n", comm, state, fields, start)
		gotState, gotStart, err := parseProcStat([]byte(line))
		require.NoError(t, err, line)
		require.Equal(t, state, gotState)
		require.Equal(t, start, gotStart)
	})
}
