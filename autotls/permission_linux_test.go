package autotls_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/autotls"
)

// permissionChildEnv makes the test binary, run again as an unprivileged
// user, do the bind of TestPermissionDenied.
const permissionChildEnv = "AUTOTLS_TEST_PERMISSION_CHILD"

// privilegedAddr is the address TestPermissionDenied asks for.
const privilegedAddr = "127.0.0.1:443"

// TestPermissionDenied: a user without privileges asking for port 443 gets
// an ErrPermission *ListenError that says how to get the privilege. The
// bind is real: as root the test binary runs itself again as the user
// nobody (uid 65534), which has no capabilities; as another user it binds
// directly. It is skipped where unprivileged users may bind port 443
// (net.ipv4.ip_unprivileged_port_start at 443 or below).
func TestPermissionDenied(t *testing.T) {
	if os.Getenv(permissionChildEnv) == "1" {
		requirePermissionDenied(t)
		fmt.Println("permission child ok")
		return
	}
	start, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(start))); err == nil && n <= 443 {
			t.Skipf("unprivileged users may bind port %d and above here", n)
		}
	}
	if os.Geteuid() != 0 {
		requirePermissionDenied(t)
		return
	}
	out, err := runAsNobody(t)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Skipf("cannot run the test binary as nobody here (%v); TestListenErrorClassification covers the classification", err)
	}
	require.NoError(t, err, "%s", out)
	require.Contains(t, out, "permission child ok")
}

// requirePermissionDenied asks for privilegedAddr and checks the error.
func requirePermissionDenied(t *testing.T) {
	cfg := offline()
	cfg.HTTPSAddr = privilegedAddr
	cfg.DisableHTTP = true
	_, _, err := autotls.Listen(context.Background(), cfg, "a.test")
	require.ErrorIs(t, err, autotls.ErrPermission)
	require.ErrorIs(t, err, syscall.EACCES)
	require.ErrorContains(t, err, "no permission to listen on "+privilegedAddr)
	require.ErrorContains(t, err, "setcap 'cap_net_bind_service=+ep'")
}

// runAsNobody runs this test in a copy of the test binary as uid and gid
// 65534, and returns its output.
func runAsNobody(t *testing.T) (string, error) {
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	// t.TempDir's directories are 0700 and root's: open them to nobody.
	for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
		require.NoError(t, os.Chmod(d, 0o755))
	}
	bin := filepath.Join(dir, "autotls.test")
	copyFile(t, exe, bin)
	cmd := exec.CommandContext(t.Context(), bin, "-test.run=^TestPermissionDenied$", "-test.count=1", "-test.v")
	cmd.Dir = "/"
	cmd.Env = []string{permissionChildEnv + "=1", "HOME=/nonexistent", "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func copyFile(t *testing.T, from, to string) {
	src, err := os.Open(from)
	require.NoError(t, err)
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, err)
	require.NoError(t, dst.Close())
}
