//go:build !unix

package deployhook

import "os/exec"

// ownProcessGroup is a no-op where process groups do not exist:
// cancellation kills the shell only.
func ownProcessGroup(*exec.Cmd) {}
