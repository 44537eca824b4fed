package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
)

// TestOpenAPIDocument: the document is valid OpenAPI 3.1 and lists every
// problem code the handler uses and nothing else.
func TestOpenAPIDocument(t *testing.T) {
	d, _, err := loadDoc()
	require.NoError(t, err)
	require.Equal(t, "3.1.0", d.OpenAPI)
	var enum []string
	for _, v := range d.Components.Schemas["ProblemCode"].Value.Enum {
		enum = append(enum, v.(string))
	}
	codes := api.ProblemCodes()
	sort.Strings(enum)
	require.Equal(t, codes, enum)
	// problems.md, where each Problem.Type points, describes every code.
	md, err := os.ReadFile("problems.md")
	require.NoError(t, err)
	var documented []string
	for _, line := range strings.Split(string(md), "\n") {
		if code, ok := strings.CutPrefix(line, "### "); ok {
			documented = append(documented, code)
		}
	}
	sort.Strings(documented)
	require.Equal(t, codes, documented)
	// Every operation names the one scope it needs.
	for path, item := range d.Paths.Map() {
		for method, op := range item.Operations() {
			if path == "/openapi.yaml" {
				continue
			}
			require.NotNil(t, op.Security, "%s %s", method, path)
			require.Len(t, *op.Security, 1)
			scopes := (*op.Security)[0]["bearer"]
			require.Len(t, scopes, 1, "%s %s", method, path)
			require.Contains(t, []string{"read", "write", "keys"}, scopes[0])
		}
	}
}

// TestValidatorCatchesMismatches: the validating middleware the tests run
// under reports answers the document does not describe (so that its
// silence elsewhere means something).
func TestValidatorCatchesMismatches(t *testing.T) {
	_, _, err := loadDoc()
	require.NoError(t, err)
	tests := []struct {
		name, method, path string
		status             int
		contentType, body  string
		want               string
	}{
		{"undocumented field", "GET", "/certificates/x.example.com/status", 200, "application/json",
			`{"hostname":"x","status":"active","source":null,"expires_at":null,"days_until_expiry":null,"auto_renew":false,"last_renew_attempt":null,"last_renew_error":null,"extra":1}`, "extra"},
		{"undocumented status", "GET", "/certificates/x.example.com/status", 418, "application/problem+json", `{}`, "status is not supported"},
		{"problem without code", "GET", "/certificates/x.example.com", 404, "application/problem+json",
			`{"type":"about:blank","title":"t","status":404,"detail":"d"}`, "code"},
		{"no route, not a problem", "GET", "/nowhere", 404, "text/plain", `404 page not found`, "no operation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := &recorder{}
			v := &validator{report: rep.errorf}
			h := v.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, tc.path, nil))
			require.Len(t, rep.msgs, 1)
			require.Contains(t, rep.msgs[0], tc.want)
		})
	}
}

type recorder struct{ msgs []string }

func (r *recorder) errorf(format string, args ...any) {
	r.msgs = append(r.msgs, strings.TrimSpace(fmt.Sprintf(format, args...)))
}
