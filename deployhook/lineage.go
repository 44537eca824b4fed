package deployhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/certs-dev/certs"
)

// The layout under Config.Dir, certbot's with one difference: live/<name>
// is a symbolic link to a complete version directory, switched at once.
//
//	live/<name> -> ../archive/<name>/v-<random>
//	archive/<name>/v-<random>/{fullchain,cert,chain}.pem (0644), privkey.pem (0600)
const (
	liveDir    = "live"
	archiveDir = "archive"
)

// change is what deploy did to a lineage.
type change int

const (
	unchanged change = iota
	written
	removed
)

// lineageName checks that a hostname from the Manager is one path element.
func lineageName(host string) (string, error) {
	if host == "" || host == "." || host == ".." || strings.ContainsAny(host, `/\`) {
		return "", fmt.Errorf("deployhook: %q cannot name a lineage directory", host)
	}
	return host, nil
}

func (h *Hook) live(name string) string    { return filepath.Join(h.dir, liveDir, name) }
func (h *Hook) archive(name string) string { return filepath.Join(h.dir, archiveDir, name) }

// deploy makes host's lineage match what the Manager serves for it: the
// files of its preferred certificate (as Manager.Export picks it), or no
// lineage when it holds none.
func (h *Hook) deploy(ctx context.Context, host string) (change, error) {
	name, err := lineageName(host)
	if err != nil {
		return unchanged, err
	}
	st, err := h.m.Status(ctx, host)
	if errors.Is(err, certs.ErrNotFound) || (err == nil && st.Source == "") {
		return h.remove(name)
	} else if err != nil {
		return unchanged, fmt.Errorf("deployhook: %s: %w", host, err)
	}
	chain, err := h.m.PEM(ctx, host, st.Source, certs.PEMFullChain)
	if err != nil {
		return unchanged, fmt.Errorf("deployhook: %s: %w", host, err)
	}
	key, err := h.m.PrivateKey(ctx, host, st.Source)
	if err != nil {
		return unchanged, fmt.Errorf("deployhook: %s: %w", host, err)
	}
	if same, err := h.holds(name, chain, key); err != nil || same {
		return unchanged, err
	}
	if err := h.write(ctx, host, name); err != nil {
		return unchanged, err
	}
	return written, nil
}

// holds reports whether the lineage already has this chain and key. A
// live/<name> that is not our link is ErrNotOurs.
func (h *Hook) holds(name string, chain, key []byte) (bool, error) {
	fi, err := os.Lstat(h.live(name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("deployhook: %w", err)
	case fi.Mode()&fs.ModeSymlink == 0:
		return false, fmt.Errorf("%w: %s", ErrNotOurs, h.live(name))
	}
	root, err := os.OpenRoot(h.live(name)) // one version, even mid-switch
	if err != nil {
		return false, nil // a dangling link: write anew
	}
	defer root.Close()
	oldChain, err1 := root.ReadFile("fullchain.pem")
	oldKey, err2 := root.ReadFile("privkey.pem")
	return err1 == nil && err2 == nil && bytes.Equal(oldChain, chain) && bytes.Equal(oldKey, key), nil
}

// write exports host into a new version directory, switches live/<name>
// to it, and deletes the versions before the previous one.
func (h *Hook) write(ctx context.Context, host, name string) error {
	arch := h.archive(name)
	if err := mkdirs(arch, h.live("")); err != nil {
		return err
	}
	version, err := os.MkdirTemp(arch, "v-")
	if err != nil {
		return fmt.Errorf("deployhook: %s: %w", host, err)
	}
	if err := h.m.Export(ctx, host, version); err != nil {
		_ = os.RemoveAll(version)
		return fmt.Errorf("deployhook: %s: %w", host, err)
	}
	if err := syncDir(arch); err != nil {
		return fmt.Errorf("deployhook: %s: %w", host, err)
	}
	previous, _ := os.Readlink(h.live(name))
	target := filepath.Join("..", archiveDir, name, filepath.Base(version))
	if err := switchLink(target, h.live(name)); err != nil {
		return fmt.Errorf("deployhook: %s: %w", host, err)
	}
	h.prune(arch, filepath.Base(version), filepath.Base(previous))
	return nil
}

// switchLink points link at target atomically: a new link beside it,
// renamed over it, then the directory synced.
func switchLink(target, link string) error {
	tmp := filepath.Join(filepath.Dir(link), "."+filepath.Base(link)+".tmp-"+filepath.Base(target))
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, link); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(link))
}

// prune deletes the versions of a lineage but the current and the
// previous one (a reader that resolved the link just before the switch
// still reads a whole version).
func (h *Hook) prune(arch string, keep ...string) {
	entries, err := os.ReadDir(arch)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "v-") && e.Name() != keep[0] && e.Name() != keep[1] {
			if err := os.RemoveAll(filepath.Join(arch, e.Name())); err != nil {
				h.log.Warn("deployhook: cannot delete an old version", "dir", filepath.Join(arch, e.Name()), "error", err)
			}
		}
	}
}

// remove deletes a lineage: the link, then its versions.
func (h *Hook) remove(name string) (change, error) {
	link := h.live(name)
	fi, err := os.Lstat(link)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return unchanged, os.RemoveAll(h.archive(name))
	case err != nil:
		return unchanged, fmt.Errorf("deployhook: %w", err)
	case fi.Mode()&fs.ModeSymlink == 0:
		return unchanged, fmt.Errorf("%w: %s", ErrNotOurs, link)
	}
	if err := os.Remove(link); err != nil {
		return unchanged, fmt.Errorf("deployhook: %w", err)
	}
	if err := syncDir(filepath.Dir(link)); err != nil {
		return unchanged, fmt.Errorf("deployhook: %w", err)
	}
	if err := os.RemoveAll(h.archive(name)); err != nil {
		return removed, fmt.Errorf("deployhook: %w", err)
	}
	return removed, nil
}

// lineages lists the names under live/.
func (h *Hook) lineages() ([]string, error) {
	entries, err := os.ReadDir(h.live(""))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("deployhook: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && e.Type()&fs.ModeSymlink != 0 {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

func mkdirs(dirs ...string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("deployhook: %w", err)
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
