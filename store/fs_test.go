package store

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func newTestFS(t *testing.T) *FS {
	t.Helper()
	s, err := NewFS(filepath.Join(t.TempDir(), "store"))
	require.NoError(t, err)
	return s
}

// walkFiles returns every path under root, relative to it.
func walkFiles(t *testing.T, root string) map[string]fs.FileInfo {
	t.Helper()
	out := map[string]fs.FileInfo{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		fi, err := d.Info()
		require.NoError(t, err)
		rel, err := filepath.Rel(root, p)
		require.NoError(t, err)
		out[rel] = fi
		return nil
	}))
	return out
}

// fillStore writes a record, a wildcard record, nested blobs and takes a
// lock, so that every kind of file and directory exists.
func fillStore(t *testing.T, s *FS) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, &Record{Name: "example.com", Secrets: map[string][]byte{"k": []byte("secret")}}))
	require.NoError(t, s.Put(ctx, &Record{Name: "*.example.com"}))
	require.NoError(t, s.PutBlob(ctx, "acme/accounts/a.json", []byte("x")))
	require.NoError(t, s.PutBlob(ctx, "top", []byte("x")))
	unlock, err := s.Lock(ctx, "example.com")
	require.NoError(t, err)
	t.Cleanup(unlock)
}

func TestFSAtomicOverwriteLeavesNoTempFiles(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	ctx := context.Background()
	for i := range 20 {
		data := []byte(strings.Repeat("x", i*100))
		require.NoError(t, s.Put(ctx, &Record{Name: "example.com", Data: data}))
		require.NoError(t, s.PutBlob(ctx, "a/b", data))
	}
	require.NoError(t, s.Delete(ctx, "example.com"))
	require.NoError(t, s.Put(ctx, &Record{Name: "example.com", Data: []byte("final")}))
	for p := range walkFiles(t, s.Dir()) {
		require.NotContains(t, p, "+tmp-")
		require.NotContains(t, p, "+del-")
	}
	got, err := s.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, "final", string(got.Data))
}

func TestFSHostileNamesStayInside(t *testing.T) {
	t.Parallel()
	outer := t.TempDir()
	s, err := NewFS(filepath.Join(outer, "store"))
	require.NoError(t, err)
	before := walkFiles(t, outer)
	ctx := context.Background()
	hostile := []string{
		"../x", "../../etc/passwd", "/etc/passwd", "a/../../b", "..", ".", "x/..", "+tmp-x", "+del-x",
		"+.example.com", "+k+a", "..\\x", "a\x00b", "~/x", "$HOME", "*", "*/..", "%2e%2e/x", "store/../x",
		"hosts", "../store/hosts/a", strings.Repeat("../", 100) + "tmp",
	}
	for _, name := range hostile {
		_ = s.Put(ctx, &Record{Name: name})
		_, _ = s.Get(ctx, name)
		_ = s.Delete(ctx, name)
		_ = s.PutBlob(ctx, name, []byte("x"))
		_, _ = s.GetBlob(ctx, name)
		_ = s.DeleteBlob(ctx, name)
		if unlock, err := s.Lock(ctx, name); err == nil {
			unlock()
		}
	}
	after := walkFiles(t, outer)
	var created []string
	for p := range after {
		if _, ok := before[p]; !ok {
			created = append(created, p)
		}
	}
	// Only names that are valid keys ("hosts", "+tmp-x" is not) may have
	// created something, and only inside the blobs directory.
	for _, p := range created {
		require.True(t, strings.HasPrefix(p, filepath.Join("store", "blobs")+string(filepath.Separator)), "created %s", p)
	}
	res, err := s.List(ctx, ListOptions{})
	require.NoError(t, err)
	require.Zero(t, res.Total)
}

func TestFSWildcardLayout(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, &Record{Name: "*.example.com", Data: []byte("wild")}))
	require.NoError(t, s.Put(ctx, &Record{Name: "example.com", Data: []byte("apex")}))
	require.DirExists(t, filepath.Join(s.Dir(), "hosts", "+.example.com"))
	res, err := s.List(ctx, ListOptions{})
	require.NoError(t, err)
	require.Len(t, res.Records, 2)
	require.Equal(t, "*.example.com", res.Records[0].Name)
	require.Equal(t, "wild", string(res.Records[0].Data))
	require.NoError(t, s.Delete(ctx, "*.example.com"))
	require.NoDirExists(t, filepath.Join(s.Dir(), "hosts", "+.example.com"))
	got, err := s.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, "apex", string(got.Data))
}

func TestFSIgnoresAndSweepsLeftovers(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, &Record{Name: "example.com", Data: []byte("good")}))
	hosts := filepath.Join(s.Dir(), "hosts")
	old := time.Now().Add(-2 * tempGrace)
	leftovers := map[string]bool{ // path -> old enough to be swept
		filepath.Join(hosts, "example.com", "+tmp-record.json-1"): true,
		filepath.Join(hosts, "example.com", "+tmp-record.json-2"): false,
		filepath.Join(hosts, "+del-abc", "record.json"):           true,
		filepath.Join(hosts, "Foreign", "record.json"):            false,
		filepath.Join(hosts, "half.example.com", "+tmp-x"):        false,
		filepath.Join(s.Dir(), "blobs", "+tmp-k-1"):               true,
	}
	for p, isOld := range leftovers {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(`{"version":1,"name":"garbage`), 0o600))
		if isOld {
			require.NoError(t, os.Chtimes(p, old, old))
		}
	}
	res, err := s.List(ctx, ListOptions{})
	require.NoError(t, err)
	// In name order List counts host directories without reading them, so
	// a directory being created right now (half.example.com) counts; its
	// record is not listed until written.
	require.Equal(t, 2, res.Total)
	require.Len(t, res.Records, 1)
	require.Equal(t, "example.com", res.Records[0].Name)
	res, err = s.List(ctx, ListOptions{Sort: SortByExpiry})
	require.NoError(t, err)
	require.Equal(t, 1, res.Total, "the other orders read every record")
	got, err := s.Get(ctx, "example.com")
	require.NoError(t, err)
	require.Equal(t, "good", string(got.Data))

	s2, err := NewFS(s.Dir()) // sweeps, in the background
	require.NoError(t, err)
	<-s2.swept
	for p, isOld := range leftovers {
		if isOld {
			require.NoFileExists(t, p)
		} else {
			require.FileExists(t, p, "a fresh temp file may belong to a live writer")
		}
	}
	require.NoDirExists(t, filepath.Join(hosts, "+del-abc"))
}

func TestNewFSErrors(t *testing.T) {
	// Not parallel: t.Chdir.
	_, err := NewFS("")
	require.Error(t, err)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = NewFS(file)
	require.Error(t, err)
	t.Chdir(t.TempDir())
	s, err := NewFS("relative")
	require.NoError(t, err)
	require.True(t, filepath.IsAbs(s.Dir()), s.Dir())
}

func TestDefaultDir(t *testing.T) {
	// Not parallel: t.Setenv.
	t.Setenv("HOME", "/home/u")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	d, err := DefaultDir()
	require.NoError(t, err)
	require.Equal(t, "/xdg/certs", d)

	t.Setenv("XDG_DATA_HOME", "relative/ignored")
	d, err = DefaultDir()
	require.NoError(t, err)
	require.Equal(t, "/home/u/.local/share/certs", d)

	t.Setenv("XDG_DATA_HOME", "")
	d, err = DefaultDir()
	require.NoError(t, err)
	require.Equal(t, "/home/u/.local/share/certs", d)

	t.Setenv("HOME", "")
	_, err = DefaultDir()
	require.Error(t, err)
}

// TestFSListByNameReadsOnlyThePage: paging in name order reads only the
// records of the page (a damaged record elsewhere is not even read), which
// is what keeps loading a large store linear; the other orders read all.
func TestFSListByNameReadsOnlyThePage(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	ctx := context.Background()
	for _, n := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		require.NoError(t, s.Put(ctx, &Record{Name: n, Data: []byte(n)}))
	}
	require.NoError(t, os.WriteFile(filepath.Join(s.Dir(), "hosts", "c.example.com", "record.json"), []byte("{corrupt"), 0o600))
	res, err := s.List(ctx, ListOptions{Limit: 2})
	require.NoError(t, err)
	require.Equal(t, 3, res.Total)
	require.Equal(t, "a.example.com", res.Records[0].Name)
	require.Equal(t, "b.example.com", res.Records[1].Name)
	require.Empty(t, res.Damaged, "the page's records are whole")
	require.NotEmpty(t, res.NextCursor)
	res, err = s.List(ctx, ListOptions{Limit: 2, Cursor: res.NextCursor})
	require.NoError(t, err)
	require.Empty(t, res.Records)
	require.Len(t, res.Damaged, 1)
	require.Equal(t, "c.example.com", res.Damaged[0].Name)
	res, err = s.List(ctx, ListOptions{Limit: 2, Sort: SortByCreated})
	require.NoError(t, err)
	require.Len(t, res.Records, 2, "the other orders read every record, and skip the damaged one")
	res, err = s.List(ctx, ListOptions{Limit: 1, Desc: true, Filter: "b."})
	require.NoError(t, err)
	require.Equal(t, "b.example.com", res.Records[0].Name)
}

// TestFSSweepsEmptyHostDirs: a host directory a crashed writer made but
// never filled is removed by the next NewFS once it is old enough.
func TestFSSweepsEmptyHostDirs(t *testing.T) {
	t.Parallel()
	s := newTestFS(t)
	old := filepath.Join(s.Dir(), "hosts", "crashed.example.com")
	fresh := filepath.Join(s.Dir(), "hosts", "fresh.example.com")
	require.NoError(t, os.MkdirAll(old, 0o700))
	require.NoError(t, os.MkdirAll(fresh, 0o700))
	past := time.Now().Add(-2 * tempGrace)
	require.NoError(t, os.Chtimes(old, past, past))
	s2, err := NewFS(s.Dir())
	require.NoError(t, err)
	<-s2.swept
	require.NoDirExists(t, old)
	require.DirExists(t, fresh, "a fresh directory may belong to a live writer")
}
