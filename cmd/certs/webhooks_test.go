package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/certstest"
	"github.com/certs-dev/certs/webhook"
)

// apiCall sends a request with the test token to serve's API and decodes
// a JSON answer into out (when not nil).
func apiCall(t *testing.T, srv *server, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.apiURL+path, rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, want, resp.StatusCode, "%s %s: %s", method, path, b)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), "%s", b)
	}
}

// remoteWebhooks subscribes a real receiver through serve's API, imports
// host through the CLI's remote mode and receives the signed event.
func remoteWebhooks(t *testing.T, srv *server, remote remoteFunc, host string) {
	var (
		mu     sync.Mutex
		secret webhook.Secret
		got    = make(chan *webhook.Payload, 16)
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := secret
		mu.Unlock()
		p, err := webhook.VerifyRequest(r, s, time.Now(), 0)
		if err != nil {
			t.Errorf("a delivery does not verify: %v", err)
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		got <- p
	}))
	defer rcv.Close()

	var created api.CreatedWebhook
	apiCall(t, srv, http.MethodPost, "/webhooks", api.CreateWebhook{URL: rcv.URL, Events: []string{"imported"}}, http.StatusCreated, &created)
	mu.Lock()
	secret = webhook.Secret(created.Secret)
	mu.Unlock()

	local, err := certstest.NewLocalCA()
	require.NoError(t, err)
	in, err := local.Issue(30*24*time.Hour, host)
	require.NoError(t, err)
	dir := t.TempDir()
	remote(t, 0, "import", host, "--cert", writeFile(t, dir, "c.pem", in.Certificate), "--key", writeFile(t, dir, "k.pem", in.PrivateKey))
	var p *webhook.Payload
	select {
	case p = <-got:
	case <-time.After(20 * time.Second):
		t.Fatalf("no webhook arrived\n%s", srv.logText())
	}
	require.Equal(t, "imported", string(p.Type))
	require.Equal(t, host, p.Hostname)
	require.Equal(t, "default", p.Tenant)

	deadline := time.Now().Add(10 * time.Second)
	for {
		var page api.WebhookDeliveryPage
		apiCall(t, srv, http.MethodGet, "/webhooks/"+created.ID+"/deliveries", nil, http.StatusOK, &page)
		require.Len(t, page.Deliveries, 1)
		if dl := page.Deliveries[0]; dl.Status == "delivered" {
			require.Equal(t, p.ID, dl.ID)
			require.Equal(t, http.StatusOK, *dl.Attempts[0].StatusCode)
			break
		}
		require.True(t, time.Now().Before(deadline), "the delivery is not marked delivered: %+v", page.Deliveries[0])
		time.Sleep(100 * time.Millisecond)
	}
	var list api.WebhookList
	apiCall(t, srv, http.MethodGet, "/webhooks", nil, http.StatusOK, &list)
	require.Equal(t, []api.Webhook{created.Webhook}, list.Webhooks)
	apiCall(t, srv, http.MethodDelete, "/webhooks/"+created.ID, nil, http.StatusNoContent, nil)
	require.NotContains(t, srv.logText(), created.Secret)
}
