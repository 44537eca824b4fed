package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/certs-dev/certs"
)

// List limits.
const (
	defaultListLimit = 100
	maxListLimit     = 500
	// scanPage is the page size of listings filtered by status, which the
	// Store cannot select.
	scanPage = 200
)

var statuses = []string{
	string(certs.StatusPendingValidation), string(certs.StatusPendingOwnership), string(certs.StatusActive),
	string(certs.StatusExpiringSoon), string(certs.StatusExpired), string(certs.StatusNotYetValid), string(certs.StatusRevoked),
}

// listQuery is a parsed GET /certificates query.
type listQuery struct {
	opts     certs.ListOptions // Labels include the tenant's
	limit    int
	statuses []string
}

// list answers GET /certificates: the caller's hostnames, filtered by
// name substring, labels (in the Store) and status, sorted and paged.
func (h *handler) list(w http.ResponseWriter, r *http.Request, p Principal) error {
	q, err := parseList(r.URL.Query(), p.Tenant)
	if err != nil {
		return err
	}
	var page *Page
	if len(q.statuses) == 0 {
		page, err = h.listStore(r.Context(), q)
	} else {
		page, err = h.listScan(r.Context(), q)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

// listStore pages through the Store, which selects by name and labels.
func (h *handler) listStore(ctx context.Context, q listQuery) (*Page, error) {
	q.opts.Limit = q.limit
	res, err := h.m.List(ctx, q.opts)
	if err != nil {
		return nil, err
	}
	out := &Page{Certificates: []Hostname{}, TotalCount: res.Total, NextCursor: optional(res.NextCursor)}
	for _, host := range res.Hosts {
		out.Certificates = append(out.Certificates, toHostname(host))
	}
	return out, nil
}

// scanCursor continues a status-filtered listing: the Store cursor of
// the page where it stopped and how many matching hostnames of that page
// were already given.
type scanCursor struct {
	V     int    `json:"v"`
	Store string `json:"c,omitempty"`
	Skip  int    `json:"s,omitempty"`
}

// listScan reads the pages the Store gives for q (status is derived on
// read, so the Store cannot select by it), keeps the hostnames of the
// statuses asked for, and counts them all for total_count: a page after
// the first costs a second pass, from the start, to count.
func (h *handler) listScan(ctx context.Context, q listQuery) (*Page, error) {
	cur, err := decodeScanCursor(q.opts.Cursor)
	if err != nil {
		return nil, err
	}
	out := &Page{Certificates: []Hostname{}}
	more := false // a matching hostname follows the page
	page, seen, matched := "", 0, 0
	err = h.scan(ctx, q, cur.Store, func(pageCursor string, host *certs.Host) {
		if pageCursor != page {
			page, seen = pageCursor, 0
		}
		seen++
		matched++
		switch {
		case pageCursor == cur.Store && seen <= cur.Skip:
		case len(out.Certificates) < q.limit:
			out.Certificates = append(out.Certificates, toHostname(host))
			out.NextCursor = encodeScanCursor(scanCursor{V: 1, Store: pageCursor, Skip: seen})
		default:
			more = true
		}
	})
	if err != nil {
		return nil, err
	}
	if !more {
		out.NextCursor = nil
	}
	out.TotalCount = matched
	if cur.Store != "" || cur.Skip > 0 {
		out.TotalCount = 0
		err = h.scan(ctx, q, "", func(string, *certs.Host) { out.TotalCount++ })
	}
	return out, err
}

// scan calls visit for every hostname of a status q asks for, from the
// Store page at cursor on, with the cursor of its page.
func (h *handler) scan(ctx context.Context, q listQuery, cursor string, visit func(pageCursor string, host *certs.Host)) error {
	opts := q.opts
	opts.Cursor, opts.Limit = cursor, scanPage
	for {
		res, err := h.m.List(ctx, opts)
		if err != nil {
			return err
		}
		for _, host := range res.Hosts {
			if slices.Contains(q.statuses, string(host.Status)) {
				visit(opts.Cursor, host)
			}
		}
		if res.NextCursor == "" {
			return nil
		}
		opts.Cursor = res.NextCursor
	}
}

func encodeScanCursor(c scanCursor) *string {
	b, _ := json.Marshal(c)
	s := "s" + base64.RawURLEncoding.EncodeToString(b)
	return &s
}

func decodeScanCursor(s string) (scanCursor, error) {
	if s == "" {
		return scanCursor{V: 1}, nil
	}
	bad := fieldProblem(codeInvalidCursor, "cursor", "the cursor is not one this listing gave; pass next_cursor of the previous page with the same query, or none to start over")
	raw, ok := strings.CutPrefix(s, "s")
	if !ok {
		return scanCursor{}, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	var c scanCursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.V != 1 || c.Skip < 0 {
		return scanCursor{}, bad
	}
	return c, nil
}

// parseList parses the query of GET /certificates.
func parseList(v url.Values, tenant string) (listQuery, error) {
	for key := range v {
		if !slices.Contains([]string{"filter", "cursor", "limit", "sort", "order", "status", "label"}, key) {
			return listQuery{}, fieldProblem(codeInvalidQuery, key, fmt.Sprintf("%.40q is not a query parameter of this endpoint", key))
		}
	}
	q := listQuery{limit: defaultListLimit, opts: certs.ListOptions{Filter: v.Get("filter"), Cursor: v.Get("cursor")}}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxListLimit {
			return q, fieldProblem(codeInvalidQuery, "limit", fmt.Sprintf("limit must be an integer from 1 to %d", maxListLimit))
		}
		q.limit = n
	}
	switch v.Get("sort") {
	case "", "name":
		q.opts.Sort = certs.SortByHostname
	case "expiry":
		q.opts.Sort = certs.SortByExpiry
	case "created":
		q.opts.Sort = certs.SortByCreated
	default:
		return q, fieldProblem(codeInvalidQuery, "sort", "sort must be name, expiry or created")
	}
	switch v.Get("order") {
	case "", "asc":
	case "desc":
		q.opts.Desc = true
	default:
		return q, fieldProblem(codeInvalidQuery, "order", "order must be asc or desc")
	}
	var err error
	if q.statuses, err = parseStatuses(v["status"]); err != nil {
		return q, err
	}
	q.opts.Labels, err = parseLabels(v["label"])
	if err != nil {
		return q, err
	}
	q.opts.Labels[TenantLabel] = tenant
	return q, nil
}

// parseStatuses parses status=active,expiring_soon (or repeated).
func parseStatuses(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if !slices.Contains(statuses, s) {
				return nil, fieldProblem(codeInvalidQuery, "status", fmt.Sprintf("status must be among %s, not %.40q", strings.Join(statuses, ", "), s))
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// parseLabels parses label=key=value (repeated; all must match).
func parseLabels(values []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range values {
		key, value, ok := strings.Cut(v, "=")
		if !ok {
			return nil, fieldProblem(codeInvalidQuery, "label", "label must be key=value")
		}
		if strings.HasPrefix(key, ReservedLabelPrefix) {
			return nil, fieldProblem(codeReservedLabel, "label", fmt.Sprintf("label keys starting with %q are reserved", ReservedLabelPrefix))
		}
		out[key] = value
	}
	return out, nil
}
