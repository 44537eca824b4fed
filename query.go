package certs

import (
	"context"
	"encoding/pem"
	"fmt"
	"maps"
	"time"

	"github.com/certs-dev/certs/store"
)

// Get returns everything known about a hostname, without key material.
// A hostname the Manager does not hold is an error wrapping ErrNotFound.
func (m *Manager) Get(ctx context.Context, hostname string) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	h, _, err := m.load(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("certs: get %s: %w", name, err)
	}
	h.derive(m.now(), m.expiringWithin)
	m.withRequirements(h)
	return h, nil
}

// SortField orders List results.
type SortField = store.SortField

// The List orders.
const (
	SortByHostname = store.SortByName
	SortByExpiry   = store.SortByExpiry
	SortByCreated  = store.SortByCreated
)

// ListOptions filter and page List. The zero value lists the first 100
// hostnames in name order.
type ListOptions struct {
	// Filter keeps hostnames containing this substring.
	Filter string
	// Labels keeps hostnames whose labels hold every one of these pairs
	// (exact match; see SetMetadata). The Store selects them.
	Labels map[string]string
	// Cursor continues from a previous page's NextCursor.
	Cursor string
	// Limit caps the page size; zero means 100.
	Limit int
	// Sort and Desc choose the order.
	Sort SortField
	Desc bool
}

// ListPage is one page of hostnames.
type ListPage struct {
	Hosts      []*Host `json:"hosts"`
	NextCursor string  `json:"next_cursor,omitempty"`
	// Total counts every hostname matching Filter, over all pages,
	// damaged ones included.
	Total int `json:"total_count"`
	// Damaged are the page's records that cannot be read, each with its
	// error; they are not in Hosts (see DamagedRecord).
	Damaged []DamagedRecord `json:"damaged,omitempty"`
}

// List returns a page of hostnames; filtering, sorting and paging are
// pushed down to the Store.
func (m *Manager) List(ctx context.Context, opts ListOptions) (*ListPage, error) {
	res, err := m.store.List(ctx, store.ListOptions{
		Filter: opts.Filter, Labels: opts.Labels, Cursor: opts.Cursor, Limit: opts.Limit,
		Sort: opts.Sort, Desc: opts.Desc,
	})
	if err != nil {
		return nil, fmt.Errorf("certs: list: %w", err)
	}
	page := &ListPage{NextCursor: res.NextCursor, Total: res.Total, Hosts: make([]*Host, 0, len(res.Records))}
	for _, d := range res.Damaged {
		page.Damaged = append(page.Damaged, DamagedRecord{Hostname: d.Name, Err: d})
	}
	now := m.now()
	for _, rec := range res.Records {
		h, _, err := decodeRecord(rec)
		if err != nil {
			page.Damaged = append(page.Damaged, DamagedRecord{Hostname: rec.Name, Err: err})
			continue
		}
		h.derive(now, m.expiringWithin)
		m.withRequirements(h)
		page.Hosts = append(page.Hosts, h)
	}
	return page, nil
}

// CertificateStatus is the status summary of a hostname's served
// certificate (the shape of a project API's /certificate/status).
type CertificateStatus struct {
	Hostname         string     `json:"domain"`
	Status           Status     `json:"status"`
	Source           Source     `json:"source,omitempty"`
	ExpiresAt        time.Time  `json:"expires_at"`
	DaysUntilExpiry  int        `json:"days_until_expiry"`
	AutoRenew        bool       `json:"auto_renew"`
	LastRenewAttempt *time.Time `json:"last_renew_attempt"`
	LastRenewError   string     `json:"last_renew_error,omitempty"`
}

// Status summarizes the certificate a hostname serves (custom first).
func (m *Manager) Status(ctx context.Context, hostname string) (*CertificateStatus, error) {
	h, err := m.Get(ctx, hostname)
	if err != nil {
		return nil, err
	}
	st := &CertificateStatus{Hostname: h.Hostname, Status: h.Status}
	c := h.preferred()
	if c == nil {
		return st, nil
	}
	st.Source, st.ExpiresAt, st.DaysUntilExpiry = c.Source, c.NotAfter, c.DaysUntilExpiry
	if a := h.ACME; a != nil {
		st.AutoRenew, st.LastRenewAttempt, st.LastRenewError = a.AutoRenew, a.LastRenewAttempt, a.LastRenewError
	}
	return st, nil
}

// preferred is the certificate a handshake would get: custom when usable,
// else ACME when usable, else whichever exists. Derived fields must be set.
func (h *Host) preferred() *Certificate {
	switch {
	case h.Custom != nil && h.Custom.Status.usable():
		return h.Custom
	case h.ACME != nil && h.ACME.Status.usable():
		return h.ACME
	case h.Custom != nil:
		return h.Custom
	}
	return h.ACME
}

// PEMKind selects what PEM returns.
type PEMKind string

// The PEM downloads.
const (
	// PEMFullChain is the leaf followed by its intermediates.
	PEMFullChain PEMKind = "fullchain"
	// PEMChain is the intermediates only.
	PEMChain PEMKind = "chain"
	// PEMLeaf is the leaf only.
	PEMLeaf PEMKind = "leaf"
)

// PEM returns a hostname's certificate of the given source as PEM: the full
// chain, the intermediates, or the leaf. It never includes the key.
func (m *Manager) PEM(ctx context.Context, hostname string, src Source, kind PEMKind) ([]byte, error) {
	c, _, err := m.certAndKey(ctx, hostname, src)
	if err != nil {
		return nil, err
	}
	return splitChain([]byte(c.ChainPEM), kind)
}

// PrivateKey returns the PEM private key of a hostname's certificate. It is
// the one explicit way to read key material out of the Manager: log and
// store what it returns with care.
func (m *Manager) PrivateKey(ctx context.Context, hostname string, src Source) ([]byte, error) {
	_, key, err := m.certAndKey(ctx, hostname, src)
	return key, err
}

func (m *Manager) certAndKey(ctx context.Context, hostname string, src Source) (*Certificate, []byte, error) {
	if src != SourceCustom && src != SourceACME {
		return nil, nil, ErrInvalidSource
	}
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, nil, err
	}
	h, keys, err := m.load(ctx, name)
	if err != nil {
		return nil, nil, fmt.Errorf("certs: %s: %w", name, err)
	}
	c := h.Certificate(src)
	if c == nil {
		return nil, nil, fmt.Errorf("%w: %s has no %s certificate", ErrNoCertificateForSource, name, src)
	}
	return c, keys[src], nil
}

// splitChain returns the part of a PEM chain that kind asks for.
func splitChain(chain []byte, kind PEMKind) ([]byte, error) {
	var blocks [][]byte
	for rest := chain; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		blocks = append(blocks, pem.EncodeToMemory(b))
	}
	var out []byte
	switch kind {
	case PEMFullChain:
		return chain, nil
	case PEMLeaf:
		if len(blocks) > 0 {
			out = blocks[0]
		}
	case PEMChain:
		for _, b := range blocks[min(1, len(blocks)):] {
			out = append(out, b...)
		}
	default:
		return nil, fmt.Errorf("%w (got %q)", ErrInvalidPEMKind, kind)
	}
	return out, nil
}

// Metadata is what a platform attaches to a hostname: a display name (for
// example "example.com Certificate") and labels.
type Metadata struct {
	DisplayName string
	Labels      map[string]string
}

// SetMetadata replaces a hostname's display name and labels. The hostname
// must exist (ErrNotFound otherwise).
func (m *Manager) SetMetadata(ctx context.Context, hostname string, md Metadata) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	h, err := m.update(ctx, name, false, func(h *Host, _ keyring) error {
		h.DisplayName = md.DisplayName
		h.Labels = maps.Clone(md.Labels)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certs: set metadata of %s: %w", name, err)
	}
	m.withRequirements(h)
	return h, nil
}
