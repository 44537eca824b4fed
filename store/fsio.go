package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const (
	dirPerm  = 0o700
	filePerm = 0o600
	// tempGrace is how old a leftover temp file must be before a sweep
	// removes it, so that a sweep never races a live writer.
	tempGrace = time.Minute
)

// writeFileAtomic replaces path with data: it writes a temp file in the same
// directory, syncs it, renames it over path and syncs the directory. A
// reader sees the old content or the new one, never a mix, even after a
// crash. The file mode is 0600 whatever the umask.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, tempPrefix+base+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(filePerm); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes the directory entries of dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

// mkdirAll creates dir and its missing parents up to (not including) root
// with mode 0700 whatever the umask, and syncs the parent of each directory
// it creates.
func mkdirAll(root, dir string) error {
	if dir == root {
		return nil
	}
	if fi, err := os.Stat(dir); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if err := mkdirAll(root, parent); err != nil {
		return err
	}
	if err := os.Mkdir(dir, dirPerm); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil // made concurrently
		}
		return err
	}
	if err := os.Chmod(dir, dirPerm); err != nil {
		return err
	}
	return syncDir(parent)
}

// sweep removes what crashed writers left behind under the store root:
// temp files older than tempGrace, host directories being deleted and lock
// removal markers older than an hour. It is
// best effort and returns nothing: a leftover is ignored by readers anyway.
func (s *FS) sweep() {
	cutoff := time.Now().Add(-tempGrace)
	pace := newThrottle()
	for _, sub := range []string{hostsDir, blobsDir, locksDir} {
		root := filepath.Join(s.dir, sub)
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			pace.step()
			if err != nil {
				return nil
			}
			name := d.Name()
			switch {
			case d.IsDir() && sub == hostsDir && strings.HasPrefix(name, deletedPrefix):
				_ = removeTree(p)
				return fs.SkipDir
			case !d.IsDir() && sub == locksDir && strings.HasPrefix(name, removalPrefix):
				if fi, err := d.Info(); err == nil && fi.ModTime().Before(time.Now().Add(-time.Hour)) {
					os.Remove(p)
				}
			case !d.IsDir() && strings.HasPrefix(name, tempPrefix):
				if fi, err := d.Info(); err == nil && fi.ModTime().Before(cutoff) {
					os.Remove(p)
				}
			}
			return nil
		})
	}
	// Host directories a crashed writer made but never filled: List counts
	// directories, so drop the empty ones (os.Remove refuses non-empty).
	entries, _ := os.ReadDir(filepath.Join(s.dir, hostsDir))
	for _, e := range entries {
		pace.step()
		if fi, err := e.Info(); err == nil && e.IsDir() && fi.ModTime().Before(cutoff) {
			_ = os.Remove(filepath.Join(s.dir, hostsDir, e.Name()))
		}
	}
}

// throttle paces a background walk so that it takes at most a fifth of a
// core: after every throttleEvery steps it sleeps four times as long as
// those steps took. A walk of a small store never sleeps.
type throttle struct {
	n     int
	start time.Time
	now   func() time.Time
	sleep func(time.Duration)
}

const throttleEvery = 1024

func newThrottle() *throttle {
	return &throttle{start: time.Now(), now: time.Now, sleep: time.Sleep}
}

func (t *throttle) step() {
	if t.n++; t.n%throttleEvery != 0 {
		return
	}
	t.sleep(4 * t.now().Sub(t.start))
	t.start = t.now()
}

// removeTree removes dir and everything below it. Should that fail, it
// makes the directories below dir accessible (a damaged host directory may
// be mode 000) and tries again.
func removeTree(dir string) error {
	if os.RemoveAll(dir) == nil {
		return nil
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if d != nil && d.IsDir() && err == nil {
			_ = os.Chmod(p, dirPerm) // before WalkDir reads it
		}
		return nil
	})
	return os.RemoveAll(dir)
}
