package metrics_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImportGraph: Prometheus is linked into programs that import this
// package, not into those that import the root or its other packages.
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
	for _, pkg := range []string{"github.com/certs-dev/certs", "github.com/certs-dev/certs/acme", "github.com/certs-dev/certs/webhook"} {
		for _, dep := range deps(pkg) {
			require.False(t, strings.HasPrefix(dep, "github.com/prometheus/"), "%s depends on %s", pkg, dep)
		}
	}
	require.Contains(t, deps("github.com/certs-dev/certs/metrics"), "github.com/prometheus/client_golang/prometheus")
}
