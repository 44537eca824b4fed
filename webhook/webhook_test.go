package webhook_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/store"
	"github.com/certs-dev/certs/webhook"
)

func newFS(t *testing.T, dir string) store.Store {
	t.Helper()
	st, err := store.NewFS(dir)
	require.NoError(t, err)
	return st
}

// failFirst fails the first n requests for hostname, with code.
func failFirst(hostname string, n, code int) func(*webhook.Payload, int) int {
	var mu sync.Mutex
	seen := 0
	return func(p *webhook.Payload, _ int) int {
		mu.Lock()
		defer mu.Unlock()
		if p.Hostname != hostname || seen >= n {
			return 0
		}
		seen++
		return code
	}
}

// TestRetriesUntilTheReceiverRecovers: a receiver that fails the first
// three requests for one hostname gets that hostname's events in order once
// it recovers, on the backoff; the other hostname's events are not held
// back; every attempt is listed with its status, error, time and the next
// attempt.
func TestRetriesUntilTheReceiverRecovers(t *testing.T) {
	c := newClock()
	e := newEnv(t, newFS(t, t.TempDir()), c, newCA(t), webhook.Config{})
	r := newReceiver(t, c)
	sub := e.subscribe(r, webhook.AllTenants)
	r.setFail(failFirst("a.example.com", 3, http.StatusInternalServerError))

	first := e.importCert("a.example.com")
	e.importCert("b.example.com")
	second := e.importCert("a.example.com")
	require.NoError(t, e.m.Remove(e.ctx, "b.example.com"))
	start := c.Now()
	e.deliverDue()
	require.Equal(t, map[string][]string{"b.example.com": {"imported", "removed"}}, byHost(r.got()),
		"a failing hostname does not hold back the others")

	for _, wait := range []time.Duration{30 * time.Second, time.Minute, 5 * time.Minute} {
		head := e.deliveries(sub.ID, webhook.ListOptions{Hostname: "a.example.com", Status: webhook.StatusPending})
		require.Len(t, head, 2)
		require.Equal(t, webhook.StatusPending, head[1].Status)
		require.Equal(t, c.Now().Add(wait), *head[1].NextAttemptAt, "the backoff schedule")
		require.Zero(t, head[0].AttemptCount, "the later event waits behind the failing one")
		c.Add(wait)
		e.deliverDue()
	}

	got := r.got()
	require.Equal(t, []string{"imported", "imported"}, byHost(got)["a.example.com"])
	require.Equal(t, first.Custom.FingerprintSHA256, got[2].Certificate.FingerprintSHA256, "in order")
	require.Equal(t, second.Custom.FingerprintSHA256, got[3].Certificate.FingerprintSHA256, "in order")

	list := e.deliveries(sub.ID, webhook.ListOptions{Hostname: "a.example.com"})
	require.Len(t, list, 2)
	dl := list[1]
	require.Equal(t, webhook.StatusDelivered, dl.Status)
	require.Equal(t, 4, dl.AttemptCount)
	require.Nil(t, dl.NextAttemptAt)
	at := []time.Time{start, start.Add(30 * time.Second), start.Add(90 * time.Second), start.Add(390 * time.Second)}
	for i, a := range dl.Attempts {
		require.Equal(t, at[i], a.At)
		if i < 3 {
			require.Equal(t, http.StatusInternalServerError, a.StatusCode)
			require.Contains(t, a.Error, "500 Internal Server Error")
			require.Contains(t, a.Response, "not now")
		} else {
			require.Equal(t, http.StatusNoContent, a.StatusCode)
			require.Empty(t, a.Error)
		}
	}
	one, err := e.d.Delivery(e.ctx, dl.ID)
	require.NoError(t, err)
	require.Equal(t, dl.ID, one.ID)
}

// TestRestartResumesPendingDeliveries: the deliveries a Dispatcher could
// not make before it stopped are made by a new Dispatcher of a new Manager
// on the same FS directory: none lost, none twice, each hostname's in
// order, and after them the events of the new Manager.
func TestRestartResumesPendingDeliveries(t *testing.T) {
	dir, c, ca := t.TempDir(), newClock(), newCA(t)
	e1 := newEnv(t, newFS(t, dir), c, ca, webhook.Config{})
	r := newReceiver(t, c)
	sub := e1.subscribe(r, webhook.AllTenants)
	r.setFail(func(p *webhook.Payload, _ int) int {
		if p.Hostname == "b.example.com" {
			return 0
		}
		return http.StatusServiceUnavailable
	})
	e1.importCert("a.example.com")
	e1.importCert("b.example.com")
	e1.importCert("a.example.com")
	e1.importCert("c.example.com")
	_, err := e1.m.RemoveCustom(e1.ctx, "c.example.com")
	require.NoError(t, err)
	e1.deliverDue()
	require.Len(t, r.got(), 1, "only b was accepted before the stop")
	e1.d.Close()

	e2 := newEnv(t, newFS(t, dir), c, ca, webhook.Config{})
	require.Len(t, e2.d.Subscriptions(""), 1, "the subscription is stored")
	r.setFail(nil)
	e2.importCert("a.example.com") // after the pending ones
	c.Add(30 * time.Second)
	e2.deliverDue()

	got := r.got()
	require.Equal(t, map[string][]string{
		"a.example.com": {"imported", "imported", "imported"},
		"b.example.com": {"imported"},
		"c.example.com": {"imported", "removed"},
	}, byHost(got))
	ids := map[string]bool{}
	for _, p := range got {
		require.False(t, ids[p.ID], "delivered twice: %s", p.ID)
		ids[p.ID] = true
	}
	for _, dl := range e2.deliveries(sub.ID, webhook.ListOptions{}) {
		require.Equal(t, webhook.StatusDelivered, dl.Status, dl.ID)
		require.True(t, ids[dl.ID], dl.ID)
	}
}

// TestTenantFiltering: a subscription receives the events of its tenant's
// hostnames (the certs.tenant label) and of the types it asked for; a
// removed hostname's removal still reaches its tenant; AllTenants receives
// everything.
func TestTenantFiltering(t *testing.T) {
	c := newClock()
	e := newEnv(t, store.NewMemory(), c, newCA(t), webhook.Config{})
	rs := map[string]*receiver{}
	for _, name := range []string{"a", "b", "all", "a-removals"} {
		rs[name] = newReceiver(t, c)
	}
	e.subscribe(rs["a"], "a")
	e.subscribe(rs["b"], "b")
	e.subscribe(rs["all"], webhook.AllTenants)
	e.subscribe(rs["a-removals"], "a", certs.EventRemoved)

	e.importCert("x.a.example") // no tenant yet: only "all" gets this one
	e.setTenant("x.a.example", "a")
	e.importCert("x.a.example")
	e.importCert("y.b.example")
	e.setTenant("y.b.example", "b")
	e.importCert("y.b.example")
	require.NoError(t, e.m.Remove(e.ctx, "x.a.example"))
	_, err := e.m.RemoveCustom(e.ctx, "y.b.example")
	require.NoError(t, err)
	e.deliverDue()

	tests := []struct {
		receiver string
		want     map[string][]string
	}{
		{"a", map[string][]string{"x.a.example": {"imported", "removed"}}},
		{"b", map[string][]string{"y.b.example": {"imported", "removed"}}},
		{"all", map[string][]string{
			"x.a.example": {"imported", "imported", "removed"},
			"y.b.example": {"imported", "imported", "removed"},
		}},
		{"a-removals", map[string][]string{"x.a.example": {"removed"}}},
	}
	for _, tc := range tests {
		t.Run(tc.receiver, func(t *testing.T) {
			got := rs[tc.receiver].got()
			require.Equal(t, tc.want, byHost(got))
			for _, p := range got {
				if tc.receiver != "all" {
					require.Equal(t, tc.receiver[:1], p.Tenant)
				}
			}
		})
	}
}

// TestGiveUpAfterTheRetryWindow: a delivery the receiver never accepts is
// retried on the backoff for 24 hours after its first attempt (the last
// attempt at that moment), then kept as failed; the hostname's next event
// is then delivered, and Redeliver tries the failed one again.
func TestGiveUpAfterTheRetryWindow(t *testing.T) {
	c := newClock()
	e := newEnv(t, store.NewMemory(), c, newCA(t), webhook.Config{})
	r := newReceiver(t, c)
	sub := e.subscribe(r, webhook.AllTenants)
	r.setFail(func(*webhook.Payload, int) int { return http.StatusServiceUnavailable })
	e.importCert("a.example.com")
	start := c.Now()
	e.deliverDue()
	var dl webhook.Delivery
	for range 100 {
		dl = e.deliveries(sub.ID, webhook.ListOptions{})[0]
		if dl.Status != webhook.StatusPending {
			break
		}
		c.Add(dl.NextAttemptAt.Sub(c.Now()))
		e.deliverDue()
	}
	require.Equal(t, webhook.StatusFailed, dl.Status)
	require.Equal(t, 14, dl.AttemptCount, "0, 30s, 1m30s, 6m30s, ... 23h51m30s, 24h")
	require.Equal(t, start.Add(24*time.Hour), dl.Attempts[len(dl.Attempts)-1].At)
	require.Equal(t, start.Add(24*time.Hour), *dl.FinishedAt)
	require.Nil(t, dl.NextAttemptAt)

	r.setFail(nil)
	e.importCert("a.example.com")
	e.deliverDue()
	require.Len(t, r.got(), 1, "the hostname's queue moves on")
	require.ErrorIs(t, e.d.Redeliver(e.ctx, r.got()[0].ID), webhook.ErrNotFailed)
	require.NoError(t, e.d.Redeliver(e.ctx, dl.ID))
	e.deliverDue()
	require.Len(t, r.got(), 2)
	again, err := e.d.Delivery(e.ctx, dl.ID)
	require.NoError(t, err)
	require.Equal(t, webhook.StatusDelivered, again.Status)
	require.Equal(t, 15, again.AttemptCount)
	_, err = e.d.Delivery(e.ctx, sub.ID+".99")
	require.ErrorIs(t, err, webhook.ErrNotFound)
}

// TestHistoryKeepsTheLastDeliveries: finished deliveries beyond
// Config.History are deleted from the Store, oldest first.
func TestHistoryKeepsTheLastDeliveries(t *testing.T) {
	c := newClock()
	st := store.NewMemory()
	e := newEnv(t, st, c, newCA(t), webhook.Config{History: 3})
	r := newReceiver(t, c)
	sub := e.subscribe(r, webhook.AllTenants)
	for range 6 {
		e.importCert("a.example.com")
	}
	e.deliverDue()
	require.Len(t, r.got(), 6)
	list := e.deliveries(sub.ID, webhook.ListOptions{})
	require.Len(t, list, 3)
	require.Equal(t, sub.ID+".5", list[0].ID, "newest first")
	require.Equal(t, sub.ID+".3", list[2].ID)
	page, err := e.d.Deliveries(e.ctx, sub.ID, webhook.ListOptions{Limit: 2})
	require.NoError(t, err)
	require.Len(t, page.Deliveries, 2)
	next, err := e.d.Deliveries(e.ctx, sub.ID, webhook.ListOptions{Limit: 2, Cursor: page.NextCursor})
	require.NoError(t, err)
	require.Equal(t, sub.ID+".3", next.Deliveries[0].ID)
	require.Empty(t, next.NextCursor)
}

// TestRunDeliversInTheBackground: Run delivers new events as they come,
// and returns when its context is done or the Dispatcher is closed.
func TestRunDeliversInTheBackground(t *testing.T) {
	c := newClock()
	e := newEnv(t, store.NewMemory(), c, newCA(t), webhook.Config{})
	r := newReceiver(t, c)
	e.subscribe(r, webhook.AllTenants)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.d.Run(ctx) }()
	e.importCert("a.example.com")
	e.importCert("b.example.com")
	for range 2 {
		select {
		case <-r.arrived:
		case <-time.After(time.Minute): // a hang guard, not a timing assertion
			t.Fatal("Run delivered nothing")
		}
	}
	require.Len(t, r.got(), 2)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)

	go func() { done <- e.d.Run(e.ctx) }()
	e.d.Close()
	require.ErrorIs(t, <-done, webhook.ErrClosed)
}

// TestRemoveSubscription: a removed subscription's pending deliveries are
// dropped, its outbox deleted, and it receives nothing more.
func TestRemoveSubscription(t *testing.T) {
	c := newClock()
	e := newEnv(t, store.NewMemory(), c, newCA(t), webhook.Config{})
	r := newReceiver(t, c)
	sub := e.subscribe(r, webhook.AllTenants)
	e.importCert("a.example.com")
	require.NoError(t, e.d.RemoveSubscription(e.ctx, sub.ID))
	require.NoError(t, e.d.RemoveSubscription(e.ctx, sub.ID), "removing it again is no error")
	e.importCert("a.example.com")
	e.deliverDue()
	require.Empty(t, r.got())
	require.Empty(t, e.d.Subscriptions(""))
	_, err := e.d.Deliveries(e.ctx, sub.ID, webhook.ListOptions{})
	require.ErrorIs(t, err, webhook.ErrNotFound)
}

// TestAddSubscriptionRefusesWhatCannotWork: each refusal says what to fix.
func TestAddSubscriptionRefusesWhatCannotWork(t *testing.T) {
	c := newClock()
	e := newEnv(t, store.NewMemory(), c, newCA(t), webhook.Config{})
	ok := webhook.Subscription{Tenant: "a", URL: "https://hooks.example.com/certs"}
	with := func(f func(*webhook.Subscription)) webhook.Subscription { s := ok; f(&s); return s }
	tests := []struct {
		name string
		sub  webhook.Subscription
		want string
	}{
		{"http without AllowHTTP", with(func(s *webhook.Subscription) { s.URL = "http://hooks.example.com/" }), "Config.AllowHTTP"},
		{"relative URL", with(func(s *webhook.Subscription) { s.URL = "/hooks" }), "absolute"},
		{"credentials in the URL", with(func(s *webhook.Subscription) { s.URL = "https://u:p@hooks.example.com/" }), "user:password"},
		{"other scheme", with(func(s *webhook.Subscription) { s.URL = "ftp://hooks.example.com/" }), "not https"},
		{"no tenant", with(func(s *webhook.Subscription) { s.Tenant = "" }), "webhook.AllTenants"},
		{"unknown event", with(func(s *webhook.Subscription) { s.Events = []certs.EventType{"renew"} }), `unknown event type "renew"`},
		{"short secret", with(func(s *webhook.Subscription) { s.Secret = "short" }), "shorter than 16 bytes"},
		{"bad ID", with(func(s *webhook.Subscription) { s.ID = "a/b" }), "[A-Za-z0-9_-]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.d.AddSubscription(e.ctx, tc.sub)
			require.ErrorIs(t, err, webhook.ErrInvalidSubscription)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	s, err := e.d.AddSubscription(e.ctx, with(func(s *webhook.Subscription) { s.ID = "shop" }))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(s.Secret.Reveal(), "whsec_"))
	_, err = e.d.AddSubscription(e.ctx, with(func(s *webhook.Subscription) { s.ID = "shop" }))
	require.ErrorIs(t, err, webhook.ErrSubscriptionExists)
}

// TestNewRefusesBadConfig: New says which field to fix.
func TestNewRefusesBadConfig(t *testing.T) {
	m, err := certs.New(certs.Config{Store: store.NewMemory()})
	require.NoError(t, err)
	tests := []struct {
		name string
		cfg  webhook.Config
		want string
	}{
		{"no manager", webhook.Config{Store: store.NewMemory()}, "Manager is required"},
		{"no store", webhook.Config{Manager: m}, "Store is required"},
		{"zero backoff", webhook.Config{Manager: m, Store: store.NewMemory(), Backoff: []time.Duration{0}}, "positive"},
		{"negative history", webhook.Config{Manager: m, Store: store.NewMemory(), History: -1}, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.New(context.Background(), tc.cfg)
			require.ErrorIs(t, err, webhook.ErrInvalidConfig)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}
