package dnsprovider_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImportGraph checks that importing dnsprovider pulls in neither the
// AWS SDK nor the Google API client, and that dnsprovider/all does.
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
	heavy := []string{"github.com/aws/", "cloud.google.com/", "google.golang.org/api", "google.golang.org/grpc"}
	for _, dep := range deps("github.com/certs-dev/certs/dnsprovider") {
		for _, prefix := range heavy {
			require.False(t, strings.HasPrefix(dep, prefix), "dnsprovider depends on %s", dep)
		}
	}
	all := strings.Join(deps("github.com/certs-dev/certs/dnsprovider/all"), "\n")
	require.Contains(t, all, "github.com/aws/aws-sdk-go-v2/service/route53")
	require.Contains(t, all, "google.golang.org/api/dns/v1")
}
