package certstest_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImportGraph checks that a program importing certs or acme does not
// pull in Pebble, and that certstest does.
func TestImportGraph(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	deps := func(pkg string) []string {
		out, err := exec.Command(goBin, "list", "-deps", pkg).CombinedOutput()
		require.NoError(t, err, string(out))
		return strings.Fields(string(out))
	}
	heavy := []string{"github.com/letsencrypt/pebble", "github.com/letsencrypt/challtestsrv",
		"github.com/certs-dev/certs/internal/pebbletest", "github.com/certs-dev/certs/certstest"}
	for _, pkg := range []string{"github.com/certs-dev/certs", "github.com/certs-dev/certs/acme"} {
		for _, dep := range deps(pkg) {
			for _, prefix := range heavy {
				require.False(t, strings.HasPrefix(dep, prefix), "%s depends on %s", pkg, dep)
			}
		}
	}
	require.Contains(t, deps("github.com/certs-dev/certs/certstest"), "github.com/letsencrypt/pebble/v2/wfe")
}
