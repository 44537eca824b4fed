package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultDir returns the directory of the FS store the Manager uses when no
// store is configured: $XDG_DATA_HOME/certs when XDG_DATA_HOME is set to an
// absolute path, else ~/.local/share/certs. It does not create the
// directory; NewFS does.
func DefaultDir() (string, error) {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "certs"), nil
	}
	home, err := os.UserHomeDir()
	if err == nil && home == "" {
		err = errors.New("empty home directory")
	}
	if err != nil {
		return "", fmt.Errorf("store: no default directory (%w); set XDG_DATA_HOME or HOME, or pass a directory to NewFS", err)
	}
	return filepath.Join(home, ".local", "share", "certs"), nil
}
