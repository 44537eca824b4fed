package deployhook

import "errors"

// The errors of the deployhook package; match them with errors.Is.
var (
	// ErrInvalidConfig is a Config that New refuses.
	ErrInvalidConfig = errors.New("deployhook: invalid config")
	// ErrNotOurs is a live/<name> that is not the symbolic link a Hook
	// keeps (a directory written by certbot or Manager.Export, say): it
	// is left alone. Move it away and the Hook writes its own.
	ErrNotOurs = errors.New("deployhook: the lineage path is not a symbolic link written by deployhook; move it away")
	// ErrCommandFailed is a command that exited with a non-zero status;
	// Result.Output holds what it printed.
	ErrCommandFailed = errors.New("deployhook: the deploy command failed")
	// ErrCommandTimeout is a command still running after Config.Timeout:
	// it was killed with its process group. Make it faster or raise the
	// Timeout.
	ErrCommandTimeout = errors.New("deployhook: the deploy command ran longer than Config.Timeout and was killed with its process group")
	// ErrClosed is returned by Run once Close was called.
	ErrClosed = errors.New("deployhook: the Hook is closed")
)
