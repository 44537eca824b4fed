package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// exportedFile is one file export wrote.
type exportedFile struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
}

// writeExport writes d to dir in certbot's layout: the key first, 0600.
func writeExport(dir string, d *download) ([]exportedFile, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	var out []exportedFile
	for _, f := range []struct {
		name string
		data []byte
		perm os.FileMode
	}{
		{"privkey.pem", d.key, 0o600},
		{"fullchain.pem", d.fullchain, 0o644},
		{"cert.pem", d.leaf, 0o644},
		{"chain.pem", d.chain, 0o644},
	} {
		path := filepath.Join(dir, f.name)
		if err := writeFileAtomic(path, f.data, f.perm); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		out = append(out, exportedFile{Path: path, Mode: fmt.Sprintf("%04o", f.perm)})
	}
	return out, nil
}

// writeFileAtomic replaces path with data: a temp file in the same
// directory, created with perm, fsynced and renamed; then the directory
// is fsynced. A reader sees the old file or the new one, never a part.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
