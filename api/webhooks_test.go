package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs/api"
	"github.com/certs-dev/certs/webhook"
)

// receiver is a real webhook receiver on loopback: it verifies each
// delivery's signature with webhook.VerifyRequest and hands the payloads
// over; while failing, it answers 500.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	secret webhook.Secret
	fail   bool
	got    chan *webhook.Payload
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{got: make(chan *webhook.Payload, 64)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		secret, fail := rc.secret, rc.fail
		rc.mu.Unlock()
		if fail {
			http.Error(w, "receiver down", http.StatusInternalServerError)
			return
		}
		p, err := webhook.VerifyRequest(r, secret, time.Now(), 0)
		if err != nil {
			t.Errorf("a delivery does not verify: %v", err)
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		rc.got <- p
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) set(secret string, fail bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret, rc.fail = webhook.Secret(secret), fail
}

// next waits for a verified delivery.
func (rc *receiver) next(t *testing.T) *webhook.Payload {
	t.Helper()
	select {
	case p := <-rc.got:
		return p
	case <-time.After(20 * time.Second):
		t.Fatal("no delivery arrived")
		return nil
	}
}

// waitDelivery polls the deliveries of sub until one of hostname has
// status.
func (e *env) waitDelivery(sub, hostname, status string) api.WebhookDelivery {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := e.do(http.MethodGet, "/webhooks/"+sub+"/deliveries?hostname="+hostname, tokenARead, "")
		require.Equal(e.t, http.StatusOK, a.status, "%s", a.body)
		var page api.WebhookDeliveryPage
		a.json(e.t, &page)
		if len(page.Deliveries) > 0 && page.Deliveries[0].Status == status {
			return page.Deliveries[0]
		}
		require.True(e.t, time.Now().Before(deadline), "no %s delivery of %s: %s", status, hostname, a.body)
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWebhooks: a tenant subscribes through the API, imports a
// certificate and its real receiver gets the signed event; the deliveries
// show each attempt; a failed delivery is redelivered; another tenant
// neither sees nor manages the subscription; the secret is shown once.
func TestWebhooks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{webhooks: true})
	rc := newReceiver(t)

	a := e.doJSON(http.MethodPost, "/webhooks", tokenAWrite, api.CreateWebhook{URL: rc.srv.URL + "/hook", Events: []string{"imported", "removed"}})
	require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
	var created api.CreatedWebhook
	a.json(t, &created)
	require.True(t, strings.HasPrefix(created.Secret, "whsec_"), created.Secret)
	require.Equal(t, "/webhooks/"+created.ID, a.header.Get("Location"))
	require.Equal(t, []string{"imported", "removed"}, created.Events)
	rc.set(created.Secret, false)
	sub := created.ID

	t.Run("an import is delivered, signed", func(t *testing.T) {
		imp := e.doJSON(http.MethodPost, "/certificates/custom", tokenA, upload("hook.example.com", e.issue("hook.example.com")))
		require.Equal(t, http.StatusCreated, imp.status, "%s", imp.body)
		p := rc.next(t)
		require.Equal(t, "imported", string(p.Type))
		require.Equal(t, "hook.example.com", p.Hostname)
		require.Equal(t, "app-a", p.Tenant)
		dl := e.waitDelivery(sub, "hook.example.com", "delivered")
		require.Equal(t, p.ID, dl.ID)
		require.Equal(t, 1, dl.AttemptCount)
		require.Equal(t, http.StatusNoContent, *dl.Attempts[0].StatusCode)
		require.Nil(t, dl.Attempts[0].Error)
		require.NotNil(t, dl.FinishedAt)
		require.Nil(t, dl.NextAttemptAt)
	})
	t.Run("another tenant's events are not delivered", func(t *testing.T) {
		imp := e.doJSON(http.MethodPost, "/certificates/custom", tokenB, upload("other.example.com", e.issue("other.example.com")))
		require.Equal(t, http.StatusCreated, imp.status, "%s", imp.body)
		a := e.do(http.MethodGet, "/webhooks/"+sub+"/deliveries?hostname=other.example.com", tokenARead, "")
		require.Equal(t, http.StatusOK, a.status)
		var page api.WebhookDeliveryPage
		a.json(t, &page)
		require.Empty(t, page.Deliveries)
	})
	t.Run("a failed delivery, each attempt visible, redelivered", func(t *testing.T) {
		rc.set(created.Secret, true)
		del := e.do(http.MethodDelete, "/certificates/hook.example.com", tokenA, "")
		require.Equal(t, http.StatusNoContent, del.status, "%s", del.body)
		failed := e.waitDelivery(sub, "hook.example.com", "failed")
		require.Equal(t, "removed", failed.EventType)
		require.GreaterOrEqual(t, failed.AttemptCount, 2)
		for _, at := range failed.Attempts {
			require.Equal(t, http.StatusInternalServerError, *at.StatusCode)
			require.NotNil(t, at.Error)
			require.False(t, at.At.IsZero())
		}
		filtered := e.do(http.MethodGet, "/webhooks/"+sub+"/deliveries?status=failed&limit=1", tokenARead, "")
		require.Equal(t, http.StatusOK, filtered.status)
		require.Contains(t, string(filtered.body), failed.ID)

		rc.set(created.Secret, false)
		a := e.do(http.MethodPost, "/webhooks/"+sub+"/deliveries/"+failed.ID+"/redeliver", tokenAWrite, "")
		require.Equal(t, http.StatusOK, a.status, "%s", a.body)
		var again api.WebhookDelivery
		a.json(t, &again)
		require.Equal(t, failed.ID, again.ID)
		p := rc.next(t)
		require.Equal(t, failed.ID, p.ID)
		require.Equal(t, "removed", string(p.Type))
		e.waitDelivery(sub, "hook.example.com", "delivered")
		e.do(http.MethodPost, "/webhooks/"+sub+"/deliveries/"+failed.ID+"/redeliver", tokenAWrite, "").
			problem(t, http.StatusConflict, "delivery_not_failed")
	})
	t.Run("tenants are isolated", func(t *testing.T) {
		var list api.WebhookList
		e.do(http.MethodGet, "/webhooks", tokenB, "").json(t, &list)
		require.Empty(t, list.Webhooks)
		for _, tc := range []struct{ method, path string }{
			{http.MethodGet, "/webhooks/" + sub},
			{http.MethodDelete, "/webhooks/" + sub},
			{http.MethodGet, "/webhooks/" + sub + "/deliveries"},
			{http.MethodPost, "/webhooks/" + sub + "/deliveries/" + sub + ".0/redeliver"},
		} {
			e.do(tc.method, tc.path, tokenB, "").problem(t, http.StatusNotFound, "webhook_not_found")
		}
		e.do(http.MethodGet, "/webhooks", tokenARead, "").json(t, &list)
		require.Len(t, list.Webhooks, 1)
		require.Equal(t, sub, list.Webhooks[0].ID)
	})
	t.Run("scopes", func(t *testing.T) {
		for _, tc := range []struct{ method, path, token string }{
			{http.MethodPost, "/webhooks", tokenARead},
			{http.MethodDelete, "/webhooks/" + sub, tokenARead},
			{http.MethodPost, "/webhooks/" + sub + "/deliveries/" + sub + ".0/redeliver", tokenARead},
			{http.MethodGet, "/webhooks", tokenAWrite},
			{http.MethodGet, "/webhooks/" + sub + "/deliveries", tokenAWrite},
		} {
			e.do(tc.method, tc.path, tc.token, `{"url": "https://x.example.com"}`).problem(t, http.StatusForbidden, "forbidden")
		}
	})
	t.Run("the secret is shown once", func(t *testing.T) {
		var got api.Webhook
		e.do(http.MethodGet, "/webhooks/"+sub, tokenARead, "").json(t, &got)
		require.Equal(t, created.Webhook, got)
		shown := 0
		for _, ans := range e.val.bodies() {
			if strings.Contains(string(ans.body), created.Secret) {
				shown++
				require.Equal(t, "POST /webhooks", ans.route)
			}
		}
		require.Equal(t, 1, shown)
		require.NotContains(t, e.logs.String(), created.Secret)
	})
	t.Run("delete", func(t *testing.T) {
		require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/webhooks/"+sub, tokenAWrite, "").status)
		e.do(http.MethodGet, "/webhooks/"+sub, tokenARead, "").problem(t, http.StatusNotFound, "webhook_not_found")
		e.do(http.MethodDelete, "/webhooks/"+sub, tokenAWrite, "").problem(t, http.StatusNotFound, "webhook_not_found")
	})
}

// TestWebhookBadRequests: malformed webhook requests get problems naming
// the field at fault, and a handler without a Dispatcher answers every
// webhook endpoint 404 webhooks_disabled.
func TestWebhookBadRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{webhooks: true})
	a := e.doJSON(http.MethodPost, "/webhooks", tokenA, api.CreateWebhook{URL: "http://127.0.0.1:9/hook"})
	require.Equal(t, http.StatusCreated, a.status, "%s", a.body)
	var created api.CreatedWebhook
	a.json(t, &created)
	require.Empty(t, created.Events)
	sub := created.ID
	off := newEnv(t, envOptions{})
	tests := []struct {
		name, method, path, body string
		env                      *env
		status                   int
		code, field              string
	}{
		{"missing url", "POST", "/webhooks", `{}`, e, 400, "missing_field", "url"},
		{"relative url", "POST", "/webhooks", `{"url": "/hook"}`, e, 400, "invalid_field", "url"},
		{"ftp url", "POST", "/webhooks", `{"url": "ftp://hooks.example.com/"}`, e, 400, "invalid_field", "url"},
		{"password in the url", "POST", "/webhooks", `{"url": "https://u:p@hooks.example.com/"}`, e, 400, "invalid_field", "url"},
		{"unknown event", "POST", "/webhooks", `{"url": "https://hooks.example.com/", "events": ["exploded"]}`, e, 400, "invalid_field", "events"},
		{"events of the wrong type", "POST", "/webhooks", `{"url": "https://hooks.example.com/", "events": "imported"}`, e, 400, "invalid_type", "events"},
		{"a secret is not taken", "POST", "/webhooks", `{"url": "https://hooks.example.com/", "secret": "mine-0123456789abcdef"}`, e, 400, "unknown_field", "secret"},
		{"unknown subscription", "GET", "/webhooks/wh_nope", ``, e, 404, "webhook_not_found", "id"},
		{"unknown delivery", "POST", "/webhooks/" + sub + "/deliveries/" + sub + ".99/redeliver", ``, e, 404, "delivery_not_found", "delivery"},
		{"delivery of another subscription", "POST", "/webhooks/" + sub + "/deliveries/wh_other.0/redeliver", ``, e, 404, "delivery_not_found", "delivery"},
		{"unknown status", "GET", "/webhooks/" + sub + "/deliveries?status=lost", ``, e, 400, "invalid_query", "status"},
		{"limit too large", "GET", "/webhooks/" + sub + "/deliveries?limit=501", ``, e, 400, "invalid_query", "limit"},
		{"foreign cursor", "GET", "/webhooks/" + sub + "/deliveries?cursor=abc", ``, e, 400, "invalid_cursor", "cursor"},
		{"unknown query parameter", "GET", "/webhooks/" + sub + "/deliveries?stauts=failed", ``, e, 400, "invalid_query", "stauts"},
		{"disabled: create", "POST", "/webhooks", `{"url": "https://hooks.example.com/"}`, off, 404, "webhooks_disabled", ""},
		{"disabled: list", "GET", "/webhooks", ``, off, 404, "webhooks_disabled", ""},
		{"disabled: get", "GET", "/webhooks/" + sub, ``, off, 404, "webhooks_disabled", ""},
		{"disabled: delete", "DELETE", "/webhooks/" + sub, ``, off, 404, "webhooks_disabled", ""},
		{"disabled: deliveries", "GET", "/webhooks/" + sub + "/deliveries", ``, off, 404, "webhooks_disabled", ""},
		{"disabled: redeliver", "POST", "/webhooks/" + sub + "/deliveries/" + sub + ".0/redeliver", ``, off, 404, "webhooks_disabled", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.env.do(tc.method, tc.path, tokenA, tc.body).problem(t, tc.status, tc.code)
			require.Equal(t, tc.field, p.Field)
			if tc.code == "webhooks_disabled" {
				require.Contains(t, p.Detail, "not enabled")
			}
		})
	}
	var list api.WebhookList
	e.do(http.MethodGet, "/webhooks", tokenA, "").json(t, &list)
	require.Len(t, list.Webhooks, 1, "no refused request added a subscription")
}
