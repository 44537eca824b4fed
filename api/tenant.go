package api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"sync"

	"github.com/certs-dev/certs"
)

// TenantLabel is the label that holds a hostname's tenant. Labels whose
// key starts with ReservedLabelPrefix are the handler's: the API never
// shows them and refuses to set them. A hostname added through the
// Manager directly has no tenant: the API neither shows nor changes it
// (set the label with Manager.SetMetadata to hand it to a tenant).
const (
	TenantLabel         = "certs.tenant"
	ReservedLabelPrefix = "certs."
)

// Limits of user labels.
const (
	maxLabels        = 32
	maxLabelValueLen = 256
	maxDisplayName   = 256
)

var labelKeyRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._/-]{0,62}[A-Za-z0-9])?$`)

// tenantOf is the tenant a hostname belongs to ("" for none).
func tenantOf(h *certs.Host) string { return h.Labels[TenantLabel] }

// notFound is the answer for a hostname that does not exist and for one
// of another tenant alike, so that a tenant learns nothing of others'.
func notFound(name string) *Problem {
	return problem(codeNotFound, fmt.Sprintf("there is no hostname %s; add it with POST /certificates/acme or /certificates/custom", name))
}

// owned returns the caller's hostname name, or not_found.
func (h *handler) owned(ctx context.Context, p Principal, name string) (*certs.Host, error) {
	host, err := h.m.Get(ctx, name)
	if errors.Is(err, certs.ErrNotFound) || (err == nil && tenantOf(host) != p.Tenant) {
		return nil, notFound(name)
	}
	return host, err
}

// recheck confirms, after reading something of host, that it is still
// the same record of the caller's tenant: a record deleted and added
// again by another tenant meanwhile has another creation time.
func (h *handler) recheck(ctx context.Context, p Principal, before *certs.Host) error {
	now, err := h.owned(ctx, p, before.Hostname)
	if err != nil {
		return err
	}
	if !now.CreatedAt.Equal(before.CreatedAt) {
		return notFound(before.Hostname)
	}
	return nil
}

// claim checks that the caller may add or take name: it does not exist,
// or it is the caller's. It reports whether it existed.
func (h *handler) claim(ctx context.Context, p Principal, name string) (bool, error) {
	host, err := h.m.Get(ctx, name)
	switch {
	case errors.Is(err, certs.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	case tenantOf(host) != p.Tenant:
		return true, problem(codeHostnameTaken, fmt.Sprintf("%s is already managed elsewhere and cannot be added here; "+
			"if it is yours, ask the platform's support to release it", name))
	}
	return true, nil
}

// settle gives a hostname just added or taken by the caller its tenant
// label and the requested metadata. When labelling a new hostname fails,
// the hostname is removed again, so that no hostname stays without a
// tenant.
func (h *handler) settle(ctx context.Context, p Principal, host *certs.Host, existed bool, display *string, labels map[string]string) (*certs.Host, error) {
	if existed && display == nil && labels == nil {
		return host, nil
	}
	md := certs.Metadata{DisplayName: host.DisplayName, Labels: maps.Clone(host.Labels)}
	if display != nil {
		md.DisplayName = *display
	}
	if labels != nil {
		md.Labels = withReserved(labels, host.Labels)
	}
	if md.Labels == nil {
		md.Labels = map[string]string{}
	}
	md.Labels[TenantLabel] = p.Tenant
	out, err := h.m.SetMetadata(ctx, host.Hostname, md)
	if err != nil && !existed {
		if rerr := h.m.Remove(context.WithoutCancel(ctx), host.Hostname); rerr != nil {
			h.log.Error("api: removing a hostname that could not be given its tenant", "hostname", host.Hostname, "error", rerr)
		}
	}
	return out, err
}

// newHostMetadata is the display name and labels a new hostname of the
// caller is stored with: the requested ones and its tenant.
func newHostMetadata(p Principal, display *string, labels map[string]string) (string, map[string]string) {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	out[TenantLabel] = p.Tenant
	if display == nil {
		return "", out
	}
	return *display, out
}

// withReserved is labels plus the reserved labels of current.
func withReserved(labels, current map[string]string) map[string]string {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range current {
		if strings.HasPrefix(k, ReservedLabelPrefix) {
			out[k] = v
		}
	}
	return out
}

// userLabels are the labels a tenant sees: the reserved ones dropped.
func userLabels(labels map[string]string) map[string]string {
	out := make(map[string]string, len(labels))
	for k, v := range labels {
		if !strings.HasPrefix(k, ReservedLabelPrefix) {
			out[k] = v
		}
	}
	return out
}

// checkMetadata refuses labels and display names the API does not store.
func checkMetadata(display *string, labels map[string]string) error {
	if display != nil && len(*display) > maxDisplayName {
		return fieldProblem(codeInvalidField, "display_name", fmt.Sprintf("display_name is longer than %d bytes", maxDisplayName))
	}
	if len(labels) > maxLabels {
		return fieldProblem(codeInvalidLabel, "labels", fmt.Sprintf("at most %d labels", maxLabels))
	}
	for k, v := range labels {
		field := "labels." + k
		switch {
		case strings.HasPrefix(k, ReservedLabelPrefix):
			return fieldProblem(codeReservedLabel, field, fmt.Sprintf("label keys starting with %q are reserved; choose another key", ReservedLabelPrefix))
		case !labelKeyRE.MatchString(k):
			return fieldProblem(codeInvalidLabel, field, "a label key has 1 to 64 letters, digits, '.', '_', '/' or '-', and starts and ends with a letter or digit")
		case len(v) > maxLabelValueLen:
			return fieldProblem(codeInvalidLabel, field, fmt.Sprintf("a label value has at most %d bytes", maxLabelValueLen))
		}
	}
	return nil
}

// hostLocks serializes the API's changes of one hostname in this process,
// so that two tenants adding the same hostname at once cannot both take
// it. (Across processes sharing a Store the root has no such guard yet.)
type hostLocks struct {
	mu    sync.Mutex
	locks map[string]*hostLock
}

type hostLock struct {
	sem  chan struct{} // holds one token while locked
	refs int           // under hostLocks.mu
}

// lock locks name until the returned function is called; it gives up
// when ctx ends first.
func (l *hostLocks) lock(ctx context.Context, name string) (func(), error) {
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*hostLock{}
	}
	hl := l.locks[name]
	if hl == nil {
		hl = &hostLock{sem: make(chan struct{}, 1)}
		l.locks[name] = hl
	}
	hl.refs++
	l.mu.Unlock()
	release := func() {
		l.mu.Lock()
		if hl.refs--; hl.refs == 0 {
			delete(l.locks, name)
		}
		l.mu.Unlock()
	}
	select {
	case hl.sem <- struct{}{}:
		return func() { <-hl.sem; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
