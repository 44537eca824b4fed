package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// FS is the durable Store: one directory per record under a root directory,
// each record one JSON file written atomically (temp file in the same
// directory, fsync, rename, fsync of the directory), directories 0700 and
// files 0600 whatever the umask. Blobs are files under the root's blobs/
// directory, written the same way. See DefaultDir for the directory the
// Manager uses when no store is configured.
//
// FS is also a Locker whose lock files coordinate every process sharing the
// directory (see Lock).
//
// An FS is safe for concurrent use by multiple goroutines, and several FS
// values, in one process or several, may share a directory: writes of the
// same record are last-writer-wins. Records and blobs are stored as given:
// wrap FS in Encrypted to seal secrets at rest.
type FS struct {
	dir string

	// LockTTL is how long a lock file stays valid without being refreshed;
	// the holder refreshes it every LockTTL/3. A lock not refreshed for
	// LockTTL is stale: its holder is taken to be dead and another process
	// may take the lock over. Zero means DefaultLockTTL; values below 30 ms
	// are raised to 30 ms. Set it before the first Lock and use the same
	// value in every process sharing the directory.
	LockTTL time.Duration
	// PollInterval is how often Follow looks for records other processes
	// changed (one stat per record file each time). Zero means
	// DefaultPollInterval (1 s). Set it before calling Follow.
	PollInterval time.Duration

	swept chan struct{} // closed when NewFS's sweep of leftovers ends
}

var (
	_ Store  = (*FS)(nil)
	_ Locker = (*FS)(nil)
)

// NewFS returns a store rooted at dir, creating dir and its missing parents
// (mode 0700) if needed. It removes what a crashed writer left behind (temp
// files, half-deleted directories) in the background, at a pace that takes
// at most a fifth of a core, so that opening a store of a million
// hostnames is as quick as opening an empty one.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("store: empty directory for NewFS; pass a directory such as the one DefaultDir returns")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("store: directory %s: %w", dir, err)
	}
	// Missing parents are made 0700 too: with os.MkdirAll a umask such as
	// 0277 would leave them 0500, too narrow to create dir inside.
	if err := mkdirAll(filepath.VolumeName(abs)+string(filepath.Separator), abs); err != nil {
		return nil, fmt.Errorf("store: create %s: %w", abs, err)
	}
	s := &FS{dir: abs, swept: make(chan struct{})}
	for _, sub := range []string{hostsDir, blobsDir, locksDir} {
		if err := mkdirAll(abs, filepath.Join(abs, sub)); err != nil {
			return nil, fmt.Errorf("store: create %s: %w; check the permissions of %s", sub, err, abs)
		}
	}
	// The sweep reads every host directory (47 s for a million): opening
	// the store must not wait for it.
	go func() {
		defer close(s.swept)
		s.sweep()
	}()
	return s, nil
}

// Dir returns the absolute root directory of the store.
func (s *FS) Dir() string { return s.dir }

// Get reads the record called name, or returns an error wrapping
// ErrNotFound. A record whose file exists but cannot be read back is a
// *DamagedError (ErrDamaged) naming the file. Delete removes such a record;
// Put over it repairs it, unless a directory or an unreadable directory is
// where the record's file or directory should be.
func (s *FS) Get(ctx context.Context, name string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, err := s.hostDir(name)
	if err != nil {
		return nil, err
	}
	rec, err := readRecord(filepath.Join(dir, recordFile), name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: record %s", ErrNotFound, name)
	}
	return rec, err
}

// Put atomically writes rec to its record file, replacing any previous
// version. Timestamps are stored as given.
func (s *FS) Put(ctx context.Context, rec *Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkRecord(rec); err != nil {
		return err
	}
	dir, err := s.hostDir(rec.Name)
	if err != nil {
		return err
	}
	b, err := encodeRecord(rec)
	if err != nil {
		return fmt.Errorf("store: encode record %s: %w", rec.Name, err)
	}
	// A concurrent Delete may remove the directory between mkdir and
	// rename: then start over.
	for attempt := 0; ; attempt++ {
		if err = mkdirAll(s.dir, dir); err == nil {
			err = writeFileAtomic(filepath.Join(dir, recordFile), b)
		}
		if err == nil || !errors.Is(err, fs.ErrNotExist) || attempt == 5 {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("store: write record %s: %w", rec.Name, err)
	}
	return nil
}

// Delete removes the record called name. Deleting a missing record returns
// nil. The host directory is first renamed away, so readers never see a
// half-deleted record.
func (s *FS) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, err := s.hostDir(name)
	if err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	gone := filepath.Join(parent, deletedPrefix+randomHex(8))
	if err := os.Rename(dir, gone); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("store: delete record %s: %w", name, err)
	}
	if err := syncDir(parent); err != nil {
		return fmt.Errorf("store: delete record %s: %w", name, err)
	}
	// The record is gone already; should removing its files fail, NewFS
	// sweeps them later.
	_ = removeTree(gone)
	return nil
}

// List returns one page of the records whose name matches opts.Filter.
// Sorted by name (the default, and how the Manager loads its records), it
// lists the directory and reads only the page's records; sorted by expiry
// or creation it reads every matching record, so its cost grows with their
// number. Damaged records (see ErrDamaged) are skipped and reported in
// ListResult.Damaged; List itself fails only when the store's directory
// cannot be listed or reading fails for a reason that is not the record's
// (such as running out of file descriptors).
func (s *FS) List(ctx context.Context, opts ListOptions) (*ListResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := checkListOptions(opts); err != nil {
		return nil, err
	}
	root := filepath.Join(s.dir, hostsDir)
	dirs, names, err := listHostDirs(root, opts)
	if err != nil {
		return nil, err
	}
	if opts.Sort == SortByName && len(opts.Labels) == 0 {
		return listByName(ctx, root, dirs, names, opts)
	}
	matching := make([]entry, 0, len(names))
	for _, name := range names {
		e, ok, err := readEntry(ctx, root, dirs[name], name)
		if err != nil {
			return nil, err
		}
		if ok && matchLabels(e.rec, opts) {
			matching = append(matching, e)
		}
	}
	return paginate(matching, opts)
}

// listHostDirs lists the host directories under root whose record names
// match opts.Filter: it returns the directory of each name and the names.
// Entries that are not directories but carry a record name are listed too
// (reading them reports the damage).
func listHostDirs(root string, opts ListOptions) (map[string]string, []string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, nil, fmt.Errorf("store: list %s: %w", root, err)
	}
	dirs := make(map[string]string, len(entries))
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		name, ok := decodeName(e.Name())
		if ok && matchFilter(name, opts) { // not temp, deleted or foreign entries
			dirs[name] = e.Name()
			names = append(names, name)
		}
	}
	return dirs, names, nil
}

// readEntry reads the record called name in the host directory dir under
// root. It reports false for a record deleted concurrently, or whose
// directory was created but whose file is not written yet.
func readEntry(ctx context.Context, root, dir, name string) (entry, bool, error) {
	if err := ctx.Err(); err != nil {
		return entry{}, false, err
	}
	rec, err := readRecord(filepath.Join(root, dir, recordFile), name)
	switch {
	case err == nil:
		return entry{rec: rec}, true, nil
	case errors.Is(err, fs.ErrNotExist):
		return entry{}, false, nil
	}
	var dmg *DamagedError // declared here: it escapes, and costs an allocation
	if errors.As(err, &dmg) {
		return entry{rec: &Record{Name: name}, dmg: dmg}, true, nil
	}
	return entry{}, false, err
}

// listByName pages through the records in name order reading only the
// records of the page: the names come from the directory listing.
func listByName(ctx context.Context, root string, dirs map[string]string, names []string, opts ListOptions) (*ListResult, error) {
	limit, _ := checkListOptions(opts)
	slices.Sort(names)
	if opts.Desc {
		slices.Reverse(names)
	}
	start := 0
	if opts.Cursor != "" {
		pos, err := decodeCursor(opts.Cursor, opts)
		if err != nil {
			return nil, err
		}
		start, _ = slices.BinarySearchFunc(names, pos.rec.Name, func(e, t string) int {
			if c := strings.Compare(e, t); (c <= 0) != opts.Desc || c == 0 {
				return -1
			}
			return 1
		})
	}
	res := &ListResult{Total: len(names)}
	var last entry
	n, i := 0, start
	for ; i < len(names) && n < limit; i++ {
		e, ok, err := readEntry(ctx, root, dirs[names[i]], names[i])
		if err != nil {
			return nil, err
		}
		if ok {
			res.add(e)
			last, n = e, n+1
		}
	}
	if i < len(names) && n > 0 {
		res.NextCursor = encodeCursor(last, opts)
	}
	return res, nil
}

// GetBlob reads the blob called key, or returns an error wrapping
// ErrNotFound.
func (s *FS) GetBlob(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := s.blobPath(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist) || isNotDir(err):
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, key)
	case err != nil:
		return nil, fmt.Errorf("store: read blob %s: %w", key, err)
	}
	return b, nil
}

// PutBlob atomically writes data to the blob called key.
func (s *FS) PutBlob(ctx context.Context, key string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := s.blobPath(key)
	if err != nil {
		return err
	}
	if err = mkdirAll(s.dir, filepath.Dir(p)); err == nil {
		err = writeFileAtomic(p, data)
	}
	if err != nil {
		return fmt.Errorf("store: write blob %s: %w", key, err)
	}
	return nil
}

// DeleteBlob removes the blob called key. Deleting a missing blob returns
// nil. Empty directories are left in place.
func (s *FS) DeleteBlob(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := s.blobPath(key)
	if err != nil {
		return err
	}
	err = os.Remove(p)
	switch {
	case errors.Is(err, fs.ErrNotExist) || isNotDir(err):
		return nil
	case err == nil:
		err = syncDir(filepath.Dir(p))
	}
	if err != nil {
		return fmt.Errorf("store: delete blob %s: %w", key, err)
	}
	return nil
}

// isNotDir reports whether err comes from a path component that is not a
// directory: with the '+' directory suffix this only happens when a file
// was put there by something other than FS.
func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR)
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
