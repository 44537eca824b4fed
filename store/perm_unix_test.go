//go:build unix

package store

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFSPermissions(t *testing.T) {
	// Not parallel: the umask is process-wide.
	for _, umask := range []int{0, 0o022, 0o077, 0o277} {
		t.Run(fmt.Sprintf("umask %04o", umask), func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "deep", "store")
			old := syscall.Umask(umask)
			s, err := NewFS(root)
			if err == nil {
				fillStore(t, s)
			}
			syscall.Umask(old)
			require.NoError(t, err)
			files := walkFiles(t, root)
			require.Contains(t, files, filepath.Join("hosts", "+.example.com", "record.json"))
			require.Contains(t, files, filepath.Join("blobs", "acme+", "accounts+", "a.json"))
			require.Contains(t, files, filepath.Join("locks", "example.com.lock"))
			for p, fi := range files {
				if fi.IsDir() {
					require.Equal(t, fs.FileMode(0o700), fi.Mode().Perm(), "directory %s", p)
				} else {
					require.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), "file %s", p)
				}
			}
		})
	}
}
