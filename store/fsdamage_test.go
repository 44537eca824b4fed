package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// damageSecret is the secret of the damaged record: no error message may
// show it, in any form, whatever the damage.
var damageSecret = []byte("-----BEGIN PRIVATE KEY-----\nDAMAGED-RECORD-SECRET-0123456789\n")

// damageCase damages the record file of example.com in a store holding
// a.example.com, example.com and z.example.com.
type damageCase struct {
	name string
	// damage damages the record whose record file is p and whose host
	// directory is dir.
	damage func(t *testing.T, p, dir string)
	// cause is part of the message; atDir says that the error names the
	// host directory rather than the record file.
	cause string
	atDir bool
	// putFails says that Put cannot write over the damage (Delete first).
	putFails bool
	// denies needs permissions to deny reads, which they do not for root.
	denies bool
}

// writeContent returns a damage that replaces the record file with b.
func writeContent(b string) func(t *testing.T, p, dir string) {
	return func(t *testing.T, p, _ string) { require.NoError(t, os.WriteFile(p, []byte(b), 0o600)) }
}

var damageCases = []damageCase{
	{name: "truncated JSON", cause: "not valid JSON", damage: func(t *testing.T, p, _ string) {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, b[:len(b)*2/3], 0o600))
	}},
	{name: "empty file", cause: "the file is empty", damage: writeContent("")},
	{name: "junk bytes", cause: "not valid JSON", damage: writeContent("\x00\xff" + string(damageSecret) + "\x1b[2J")},
	{name: "whitespace only", cause: "not valid JSON", damage: writeContent(" \n\t ")},
	{name: "valid JSON, an array", cause: "wrong type", damage: writeContent(`[1, 2, 3]`)},
	{name: "valid JSON, a string", cause: "wrong type", damage: writeContent(`"` + string(damageSecret[:20]) + `"`)},
	{name: "valid JSON, null", cause: "format version 0", damage: writeContent(`null`)},
	{name: "valid JSON, empty object", cause: "format version 0", damage: writeContent(`{}`)},
	{name: "valid JSON, secret of the wrong type", cause: "wrong type",
		damage: writeContent(`{"version":1,"name":"example.com","secrets":{"custom.key":98765432123456789}}`)},
	{name: "valid JSON, secret not base64", cause: "not valid base64",
		damage: writeContent(`{"version":1,"name":"example.com","secrets":{"custom.key":"` + string(damageSecret[:20]) + `"}}`)},
	{name: "valid JSON, bad time", cause: "wrong form",
		damage: writeContent(`{"version":1,"name":"example.com","created_at":"DAMAGED-RECORD-SECRET"}`)},
	{name: "unknown version", cause: "format version 2", damage: writeContent(`{"version":2,"name":"example.com"}`)},
	{name: "record of another hostname", cause: `holds the record of "z.example.com"`, damage: func(t *testing.T, p, dir string) {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "z.example.com", recordFile))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, b, 0o600))
	}},
	{name: "directory in place of record.json", cause: "a directory is where the record file should be", putFails: true,
		damage: func(t *testing.T, p, _ string) {
			require.NoError(t, os.Remove(p))
			require.NoError(t, os.Mkdir(p, 0o700))
		}},
	{name: "file in place of the host directory", cause: "a file is where the record's directory should be", atDir: true, putFails: true,
		damage: func(t *testing.T, _, dir string) {
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.WriteFile(dir, damageSecret, 0o600))
		}},
	{name: "unreadable file (chmod 000)", cause: "may not read it", denies: true,
		damage: func(t *testing.T, p, _ string) { require.NoError(t, os.Chmod(p, 0)) }},
	{name: "unreadable host directory (chmod 000)", cause: "may not read it", denies: true, putFails: true,
		damage: func(t *testing.T, _, dir string) {
			require.NoError(t, os.Chmod(dir, 0))
			t.Cleanup(func() { os.Chmod(dir, 0o700) }) // so that t.TempDir can remove it
		}},
}

// damagedStore returns a store holding a.example.com, example.com and
// z.example.com, with example.com damaged by tc.
func damagedStore(t *testing.T, tc damageCase) *FS {
	s := newTestFS(t)
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"a.example.com", "example.com", "z.example.com"} {
		rec := secretRecord(name)
		rec.Secrets["custom.key"] = damageSecret
		rec.ExpiresAt, rec.CreatedAt = base.Add(time.Duration(i)*time.Hour), base.Add(-time.Duration(i)*time.Hour)
		require.NoError(t, s.Put(ctx, rec))
	}
	dir := filepath.Join(s.Dir(), hostsDir, "example.com")
	tc.damage(t, filepath.Join(dir, recordFile), dir)
	return s
}

// TestFSDamagedRecords damages one record in every way a file can be
// damaged, and checks that Get reports it with a typed error saying which
// file and what to do, that List (through FS and through Encrypted) skips
// and reports it in every order while listing the others, and that Delete
// (and, where it can write there, Put) repairs it.
//
// The chmod rows are skipped when running as root (as CI does): root reads
// files whatever their mode.
func TestFSDamagedRecords(t *testing.T) {
	t.Parallel()
	for _, tc := range damageCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.denies && os.Geteuid() == 0 {
				t.Skip("running as root: chmod 000 does not deny reads to root")
			}
			s := damagedStore(t, tc)
			want := filepath.Join(s.Dir(), hostsDir, "example.com")
			if !tc.atDir {
				want = filepath.Join(want, recordFile)
			}
			before := walkContents(t, s.Dir())
			checkDamagedGet(t, s, tc, want)
			checkDamagedList(t, s)
			checkDamagedList(t, mustEncrypted(t, s, mustKey(t, "k1")))
			require.Equal(t, before, walkContents(t, s.Dir()), "reading a damaged record changed the store")
			checkDamagedRepair(t, s, tc)
		})
	}
}

// checkDamagedGet checks Get of the damaged record and of the others.
func checkDamagedGet(t *testing.T, s *FS, tc damageCase, path string) {
	ctx := context.Background()
	for _, st := range []Store{s, mustEncrypted(t, s, mustKey(t, "k1"))} {
		_, err := st.Get(ctx, "example.com")
		require.ErrorIs(t, err, ErrDamaged)
		require.NotErrorIs(t, err, ErrNotFound)
		var de *DamagedError
		require.ErrorAs(t, err, &de)
		require.Equal(t, "example.com", de.Name)
		require.Equal(t, path, de.Path)
		msg := err.Error()
		require.Contains(t, msg, "store: record example.com is damaged ("+path+")")
		require.Contains(t, msg, tc.cause)
		if tc.denies {
			require.ErrorIs(t, err, fs.ErrPermission)
			require.Contains(t, msg, "let the user running this program read it")
		} else {
			require.Contains(t, msg, "restore it from a backup, or delete the hostname")
		}
		for _, leak := range []string{string(damageSecret[:20]), base64.StdEncoding.EncodeToString(damageSecret)[:20],
			"98765432", "DAMAGED-RECORD-SECRET"} {
			require.NotContains(t, fmt.Sprintf("%v %+v %#v %s %q", err, err, err, err, err), leak)
		}
		for _, name := range []string{"a.example.com", "z.example.com"} {
			_, err := st.Get(ctx, name)
			require.NoError(t, err, "the damage of one record broke %s", name)
		}
	}
}

// checkDamagedList lists st in every order and page size and checks where
// the damaged record is reported: by name in name order, after every
// readable record in the other orders (before them with Desc).
func checkDamagedList(t *testing.T, st Store) {
	want := map[SortField][]string{
		SortByName:    {"a.example.com", "!example.com", "z.example.com"},
		SortByExpiry:  {"a.example.com", "z.example.com", "!example.com"},
		SortByCreated: {"z.example.com", "a.example.com", "!example.com"},
	}
	for sort, order := range want {
		for _, desc := range []bool{false, true} {
			for _, limit := range []int{0, 1, 2, 3} {
				opts := ListOptions{Sort: sort, Desc: desc, Limit: limit}
				got := listSequence(t, st, opts)
				exp := append([]string(nil), order...)
				if desc {
					for i, j := 0, len(exp)-1; i < j; i, j = i+1, j-1 {
						exp[i], exp[j] = exp[j], exp[i]
					}
				}
				require.Equal(t, exp, got, "%+v", opts)
			}
		}
	}
}

// listSequence pages through List and returns every entry in order, a
// damaged one as "!" and its name, checking Total and the page sizes.
func listSequence(t *testing.T, st Store, opts ListOptions) []string {
	t.Helper()
	var seq []string
	for pages := 0; pages < 10; pages++ {
		res, err := st.List(context.Background(), opts)
		require.NoError(t, err, "a damaged record failed the whole List")
		require.Equal(t, 3, res.Total, "Total counts damaged records too")
		if opts.Limit > 0 {
			require.LessOrEqual(t, len(res.Records)+len(res.Damaged), opts.Limit)
		}
		seq = append(seq, pageSequence(t, res, opts)...)
		if res.NextCursor == "" {
			return seq
		}
		opts.Cursor = res.NextCursor
	}
	t.Fatal("List never returned an empty NextCursor")
	return nil
}

// pageSequence returns the entries of one page in list order. Pages hold
// at most one damaged record here; it goes where opts puts it.
func pageSequence(t *testing.T, res *ListResult, opts ListOptions) []string {
	t.Helper()
	var seq []entry
	for _, r := range res.Records {
		seq = append(seq, entry{rec: r})
	}
	for _, d := range res.Damaged {
		require.ErrorIs(t, d, ErrDamaged)
		seq = append(seq, entry{rec: &Record{Name: d.Name}, dmg: d})
	}
	// Records and Damaged are each in order; merge by the documented order.
	for i := 1; i < len(seq); i++ {
		for j := i; j > 0 && compareEntries(seq[j-1], seq[j], opts) > 0; j-- {
			seq[j-1], seq[j] = seq[j], seq[j-1]
		}
	}
	var names []string
	for _, e := range seq {
		if e.dmg != nil {
			names = append(names, "!"+e.rec.Name)
		} else {
			names = append(names, e.rec.Name)
		}
	}
	return names
}

// checkDamagedRepair checks that Put over the damage repairs it where it
// can, and that Delete removes it in every case.
func checkDamagedRepair(t *testing.T, s *FS, tc damageCase) {
	ctx := context.Background()
	err := s.Put(ctx, secretRecord("example.com"))
	if tc.putFails {
		require.Error(t, err, "Put cannot write over this damage")
		require.NotContains(t, err.Error(), string(damageSecret[:20]))
	} else {
		require.NoError(t, err)
		got, err := s.Get(ctx, "example.com")
		require.NoError(t, err, "Put did not repair the record")
		require.Equal(t, plainSecret, got.Secrets["custom.key"])
	}
	require.NoError(t, s.Delete(ctx, "example.com"))
	_, err = s.Get(ctx, "example.com")
	require.ErrorIs(t, err, ErrNotFound)
	entries, err := os.ReadDir(filepath.Join(s.Dir(), hostsDir))
	require.NoError(t, err)
	require.Len(t, entries, 2, "Delete left something behind")
	res, err := s.List(ctx, ListOptions{})
	require.NoError(t, err)
	require.Empty(t, res.Damaged)
	require.Equal(t, 2, res.Total)
}

// walkContents returns the content of every file under root (directories
// as "dir"), by path.
func walkContents(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			out[p] = "unreadable"
			return nil
		case d.IsDir():
			out[p] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			out[p] = "unreadable"
		} else {
			out[p] = string(b)
		}
		return nil
	}))
	return out
}
