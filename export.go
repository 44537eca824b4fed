package certs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Export writes a hostname's preferred certificate (custom when usable,
// else ACME) to dir in the layout certbot uses, for nginx-style consumers:
// fullchain.pem, cert.pem, chain.pem (0644) and privkey.pem (0600). Each
// file is replaced atomically (temp file, fsync, rename), so a server
// reloading mid-export reads either the old or the new file. dir is created
// with 0700 if missing.
func (m *Manager) Export(ctx context.Context, hostname, dir string) error {
	h, err := m.Get(ctx, hostname)
	if err != nil {
		return err
	}
	c := h.preferred()
	if c == nil {
		return fmt.Errorf("%w: %s holds no certificate to export", ErrNoCertificateForSource, h.Hostname)
	}
	_, key, err := m.certAndKey(ctx, h.Hostname, c.Source)
	if err != nil {
		return err
	}
	leaf, _ := splitChain([]byte(c.ChainPEM), PEMLeaf)
	chain, _ := splitChain([]byte(c.ChainPEM), PEMChain)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("certs: export %s: %w", h.Hostname, err)
	}
	files := []struct {
		name string
		data []byte
		perm os.FileMode
	}{
		{"privkey.pem", key, 0o600},
		{"cert.pem", leaf, 0o644},
		{"chain.pem", chain, 0o644},
		{"fullchain.pem", []byte(c.ChainPEM), 0o644},
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data, f.perm); err != nil {
			return fmt.Errorf("certs: export %s: %w", h.Hostname, err)
		}
	}
	return nil
}

// writeFileAtomic writes data to path through a temp file in the same
// directory: write, fsync, chmod, rename, fsync the directory.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
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
