package api_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
)

// TestTenantIsolation: one tenant can neither read, change, download nor
// delete another's hostname, through any endpoint; for each, the answer
// is the one for a hostname that does not exist (or, to add it, 409), and
// the owner's hostname is unchanged afterwards.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	const owned = "a.example.com"
	a := e.doJSON(http.MethodPost, "/certificates/acme", tokenA, api.RequestACME{Hostname: owned, Labels: map[string]string{"team": "a"}})
	require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
	e.issueACME()
	a = e.doJSON(http.MethodPost, "/certificates/custom", tokenA, upload(owned, e.issue(owned)))
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	before := e.do(http.MethodGet, "/certificates/"+owned, tokenA, "")
	require.Equal(t, http.StatusOK, before.status)

	bUpload := upload(owned, e.issue(owned))
	der := base64.StdEncoding.EncodeToString([]byte("x"))
	tests := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"get", http.MethodGet, "/certificates/{h}", "", 404, "not_found"},
		{"status", http.MethodGet, "/certificates/{h}/status", "", 404, "not_found"},
		{"check", http.MethodPost, "/certificates/{h}/check", "", 404, "not_found"},
		{"renew", http.MethodPost, "/certificates/{h}/renew", `{"key_type": "rsa2048"}`, 404, "not_found"},
		{"revoke", http.MethodPost, "/certificates/{h}/revoke", `{"reason": "key_compromise"}`, 404, "not_found"},
		{"auto-renew off", http.MethodPatch, "/certificates/{h}/acme", `{"auto_renew": false}`, 404, "not_found"},
		{"delete ACME", http.MethodDelete, "/certificates/{h}/acme", "", 404, "not_found"},
		{"delete custom", http.MethodDelete, "/certificates/{h}/custom", "", 404, "not_found"},
		{"metadata", http.MethodPut, "/certificates/{h}/metadata", `{"display_name": "mine", "labels": {"team": "b"}}`, 404, "not_found"},
		{"download", http.MethodGet, "/certificates/{h}/download", "", 404, "not_found"},
		{"download custom leaf", http.MethodGet, "/certificates/{h}/download?source=custom&kind=leaf", "", 404, "not_found"},
		{"private key", http.MethodGet, "/certificates/{h}/private_key", "", 404, "not_found"},
		{"private key ACME", http.MethodGet, "/certificates/{h}/private_key?source=acme", "", 404, "not_found"},
		{"delete", http.MethodDelete, "/certificates/{h}", "", 404, "not_found"},
		{"explain", http.MethodGet, "/explain/{h}", "", 404, "not_served"},
		{"request ACME", http.MethodPost, "/certificates/acme", `{"hostname": "{h}"}`, 409, "hostname_taken"},
		{"request ACME dry run", http.MethodPost, "/certificates/acme", `{"hostname": "{h}", "dry_run": true}`, 409, "hostname_taken"},
		{"import custom", http.MethodPost, "/certificates/custom", mustJSON(t, bUpload), 409, "hostname_taken"},
		{"as an alternate name", http.MethodPost, "/certificates/acme", `{"hostname": "b.example.com", "alternate_names": ["{h}"]}`, 409, "name_conflict"},
		{"list by the tenant label", http.MethodGet, "/certificates?label=certs.tenant%3Dapp-a", "", 400, "reserved_label"},
		{"claim with the tenant label", http.MethodPost, "/certificates/custom",
			fmt.Sprintf(`{"hostname": "b2.example.com", "certificate_der": %q, "labels": {"certs.tenant": "app-a"}}`, der), 400, "reserved_label"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := strings.ReplaceAll(tc.path, "{h}", owned)
			body := strings.ReplaceAll(tc.body, "{h}", owned)
			p := e.do(tc.method, path, tokenB, body).problem(t, tc.status, tc.code)
			require.NotContains(t, p.Detail, "app-a", "nothing names the other tenant")
			if tc.status == http.StatusNotFound {
				missing := e.do(tc.method, strings.ReplaceAll(tc.path, "{h}", "missing.example.com"), tokenB, body).problem(t, tc.status, tc.code)
				require.Equal(t, missing.Detail, strings.ReplaceAll(p.Detail, owned, "missing.example.com"),
					"another tenant's hostname looks like one that does not exist")
			}
		})
	}

	after := e.do(http.MethodGet, "/certificates/"+owned, tokenA, "")
	require.Equal(t, string(before.body), string(after.body), "the owner's hostname is unchanged")
	var list api.Page
	e.do(http.MethodGet, "/certificates", tokenB, "").json(t, &list)
	require.Empty(t, list.Certificates)
	require.Zero(t, list.TotalCount)
	e.do(http.MethodGet, "/certificates?filter=a.example", tokenA, "").json(t, &list)
	require.Len(t, list.Certificates, 1)
	require.Equal(t, owned, list.Certificates[0].Hostname)
	require.Equal(t, map[string]string{"team": "a"}, list.Certificates[0].Labels)
}

// TestHostnameClaimedOnce: two tenants adding the same hostname at once
// never both get it; the loser gets 409 hostname_taken.
func TestHostnameClaimedOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for round := range 5 {
		name := fmt.Sprintf("race%d.example.com", round)
		in := e.issue(name)
		var wg sync.WaitGroup
		statuses := map[string][]int{}
		var mu sync.Mutex
		for i := range 8 {
			token := []string{tokenA, tokenB}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				var a answer
				if i%4 < 2 {
					a = e.doJSON(http.MethodPost, "/certificates/custom", token, upload(name, in))
				} else {
					a = e.doJSON(http.MethodPost, "/certificates/acme", token, api.RequestACME{Hostname: name})
				}
				mu.Lock()
				statuses[token] = append(statuses[token], a.status)
				mu.Unlock()
			}()
		}
		wg.Wait()
		owners := 0
		for token, got := range statuses {
			ok := 0
			for _, s := range got {
				require.Contains(t, []int{200, 201, 409}, s)
				if s != http.StatusConflict {
					ok++
				}
			}
			if ok > 0 {
				owners++
				require.Equal(t, len(got), ok, "the winning tenant (%s) is never refused", token[:11])
			}
		}
		require.Equal(t, 1, owners, "round %d: %v", round, statuses)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	return string(mustMarshal(t, v))
}
