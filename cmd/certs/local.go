package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/certs-dev/certs"
)

// localBackend works on a store directory through a certs.Manager.
type localBackend struct {
	m           *certs.Manager
	s           *settings
	p           *progress
	unsubscribe func()
	closeStore  func()
}

var _ backend = (*localBackend)(nil)

// openLocal builds the Manager; withIssuer requires the ACME settings.
func openLocal(ctx context.Context, s *settings, p *progress, withIssuer bool) (*localBackend, error) {
	m, closeStore, err := newManager(ctx, s, p.logger(), withIssuer)
	if err != nil {
		return nil, err
	}
	return &localBackend{m: m, s: s, p: p, unsubscribe: m.Subscribe(p.event), closeStore: closeStore}, nil
}

func (b *localBackend) Close() {
	b.unsubscribe()
	b.closeStore()
}

func hostOf(h *certs.Host) *hostResult { return &hostResult{view: viewOfHost(h), native: h} }

func (b *localBackend) Get(ctx context.Context, hostname string) (*hostResult, error) {
	h, err := b.m.Get(ctx, hostname)
	if err != nil {
		return nil, err
	}
	return hostOf(h), nil
}

func (b *localBackend) List(ctx context.Context, q listQuery) (*listResult, error) {
	all := &certs.ListPage{Hosts: []*certs.Host{}}
	opts := certs.ListOptions{Filter: q.filter, Labels: q.labels, Sort: sortField(q.sort), Desc: q.desc}
	for {
		if q.limit > 0 {
			opts.Limit = min(q.limit-len(all.Hosts), 100)
		}
		page, err := b.m.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		all.Hosts, all.Damaged, all.Total = append(all.Hosts, page.Hosts...), append(all.Damaged, page.Damaged...), page.Total
		if page.NextCursor == "" || (q.limit > 0 && len(all.Hosts) >= q.limit) {
			all.NextCursor = page.NextCursor
			break
		}
		opts.Cursor = page.NextCursor
	}
	res := &listResult{total: all.Total, native: all}
	for _, h := range all.Hosts {
		res.views = append(res.views, viewOfHost(h))
	}
	for _, d := range all.Damaged {
		b.p.line(fmt.Sprintf("warning: %s: damaged record: %v", d.Hostname, d.Err))
	}
	return res, nil
}

func sortField(s string) certs.SortField {
	switch s {
	case "expiry":
		return certs.SortByExpiry
	case "created":
		return certs.SortByCreated
	}
	return certs.SortByHostname
}

func (b *localBackend) Import(ctx context.Context, hostname string, up *upload, names []string, allNames bool) (*hostResult, error) {
	h, err := b.m.Import(ctx, hostname, up.input(), certs.ImportOptions{Names: names, AllNames: allNames,
		Labels: labels(ctx, b.m, b.s.tenant, hostname)})
	if err != nil {
		return nil, err
	}
	return hostOf(h), nil
}

// labels are the labels of a hostname the CLI adds: the --tenant one, so
// that the API of `certs serve` on the same store shows it. An existing
// hostname keeps its own (nil).
func labels(ctx context.Context, m *certs.Manager, tenant, hostname string) map[string]string {
	if tenant == "" {
		return nil
	}
	if _, err := m.Get(ctx, hostname); !errors.Is(err, certs.ErrNotFound) {
		return nil
	}
	return map[string]string{certs.TenantLabel: tenant}
}

func (b *localBackend) Check(ctx context.Context, hostname string) (*hostResult, error) {
	res, err := b.m.Check(ctx, hostname)
	if err != nil {
		return nil, err
	}
	return &hostResult{view: viewOfHost(res.Host), native: res}, nil
}

func (b *localBackend) Revoke(ctx context.Context, hostname, reason string) (*hostResult, error) {
	r, err := parseReason(reason)
	if err != nil {
		return nil, err
	}
	h, err := b.m.Revoke(ctx, hostname, r)
	if err != nil {
		return nil, err
	}
	return hostOf(h), nil
}

func (b *localBackend) Remove(ctx context.Context, hostname, source string) (*hostResult, error) {
	h, err := b.m.Get(ctx, hostname)
	if err != nil {
		return nil, err
	}
	switch source {
	case "":
		return nil, b.m.Remove(ctx, h.Hostname)
	case string(certs.SourceCustom):
		if h.Custom == nil {
			return nil, fmt.Errorf("%w: %s has no custom certificate", certs.ErrNoCertificateForSource, h.Hostname)
		}
		h, err = b.m.RemoveCustom(ctx, h.Hostname)
	default:
		if h.ACME == nil && !h.ACMERequested {
			return nil, fmt.Errorf("%w: %s has no ACME certificate", certs.ErrNoCertificateForSource, h.Hostname)
		}
		h, err = b.m.RemoveACME(ctx, h.Hostname)
	}
	if err != nil {
		return nil, err
	}
	return hostOf(h), nil
}

func (b *localBackend) Download(ctx context.Context, hostname, source string) (*download, error) {
	src := certs.Source(source)
	if src == "" {
		st, err := b.m.Status(ctx, hostname)
		if err != nil {
			return nil, err
		}
		if src = st.Source; src == "" {
			return nil, fmt.Errorf("%w: %s holds no certificate yet", certs.ErrNoCertificateForSource, st.Hostname)
		}
	}
	d := &download{source: string(src)}
	for _, part := range []struct {
		kind certs.PEMKind
		dst  *[]byte
	}{{certs.PEMFullChain, &d.fullchain}, {certs.PEMLeaf, &d.leaf}, {certs.PEMChain, &d.chain}} {
		var err error
		if *part.dst, err = b.m.PEM(ctx, hostname, src, part.kind); err != nil {
			return nil, err
		}
	}
	var err error
	d.key, err = b.m.PrivateKey(ctx, hostname, src)
	return d, err
}
