package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/store"
)

// handle is the Manager's event callback: it writes ev to the outbox of
// every subscription that wants it.
func (d *Dispatcher) handle(ev certs.Event) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.inflight.Add(1)
	d.mu.Unlock()
	defer d.inflight.Done()
	ctx := d.base
	tenant := d.tenantOf(ctx, ev)
	for _, o := range d.wanting(ev.Type, tenant) {
		if err := d.enqueue(ctx, o, ev, tenant); err != nil {
			d.log.Error("webhook: cannot write an event to the outbox", "subscription", o.sub.ID,
				"event", ev.Type, "hostname", ev.Hostname, "error", err)
		}
	}
}

// wanting returns the outboxes whose subscription wants the event.
func (d *Dispatcher) wanting(typ certs.EventType, tenant string) []*outbox {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []*outbox
	for _, o := range d.outboxes {
		if o.sub.wants(typ, tenant) {
			out = append(out, o)
		}
	}
	return out
}

// tenantOf returns the tenant of ev's hostname: its TenantLabel, read from
// the Manager. The last tenant seen is remembered in the Store, for the
// events of hostnames the Manager no longer holds or cannot read (removed,
// damaged); a removed hostname is then forgotten.
func (d *Dispatcher) tenantOf(ctx context.Context, ev certs.Event) string {
	h, err := d.m.Get(ctx, ev.Hostname)
	if err == nil {
		tenant := h.Labels[TenantLabel]
		if known, ok := d.recallTenant(ctx, ev.Hostname); !ok || known != tenant {
			d.rememberTenant(ctx, ev.Hostname, tenant)
		}
		return tenant
	}
	tenant, _ := d.recallTenant(ctx, ev.Hostname)
	if ev.Type == certs.EventRemoved && ev.Source == "" && errors.Is(err, certs.ErrNotFound) {
		if err := d.st.DeleteBlob(ctx, tenantKey(ev.Hostname)); err != nil {
			d.log.Warn("webhook: cannot forget the tenant of a removed hostname", "hostname", ev.Hostname, "error", err)
		}
	}
	return tenant
}

type storedTenant struct {
	Hostname string `json:"hostname"`
	Tenant   string `json:"tenant"`
}

// tenantKey is the blob remembering hostname's tenant (hashed: a hostname
// may be longer than a key segment, and start with "*").
func tenantKey(hostname string) string {
	sum := sha256.Sum256([]byte(hostname))
	return "webhooks/tenants/" + hex.EncodeToString(sum[:])
}

func (d *Dispatcher) recallTenant(ctx context.Context, hostname string) (string, bool) {
	raw, err := d.st.GetBlob(ctx, tenantKey(hostname))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			d.log.Warn("webhook: cannot read the tenant of a hostname", "hostname", hostname, "error", err)
		}
		return "", false
	}
	var t storedTenant
	if json.Unmarshal(raw, &t) != nil || t.Hostname != hostname {
		return "", false
	}
	return t.Tenant, true
}

func (d *Dispatcher) rememberTenant(ctx context.Context, hostname, tenant string) {
	raw, err := json.Marshal(storedTenant{Hostname: hostname, Tenant: tenant})
	if err == nil {
		err = d.st.PutBlob(ctx, tenantKey(hostname), raw)
	}
	if err != nil {
		d.log.Warn("webhook: cannot remember the tenant of a hostname", "hostname", hostname, "error", err)
	}
}
