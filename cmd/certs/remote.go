package main

import (
	"context"
	"os"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
)

// remoteBackend works on a server's certificate API (certs serve
// --api-addr) through the api.Client.
type remoteBackend struct {
	c *api.Client
	p *progress
}

var _ backend = (*remoteBackend)(nil)

// openRemote connects to --server with the token of CERTS_API_TOKEN.
func openRemote(s *settings, p *progress) (*remoteBackend, error) {
	token := os.Getenv("CERTS_API_TOKEN")
	if token == "" {
		return nil, usagef("--server needs the API token: set CERTS_API_TOKEN (the token `certs serve` was started with)")
	}
	hc, err := httpClient(s)
	if err != nil {
		return nil, err
	}
	c, err := api.NewClient(s.server, token, hc)
	if err != nil {
		return nil, usagef("--server: %v", err)
	}
	return &remoteBackend{c: c, p: p}, nil
}

func (b *remoteBackend) Close() {}

func apiHost(h *api.Hostname) *hostResult { return &hostResult{view: viewOfAPI(h), native: h} }

// hostCall wraps the client calls that answer a hostname.
func hostCall(h *api.Hostname, err error) (*hostResult, error) {
	if err != nil {
		return nil, err
	}
	return apiHost(h), nil
}

func (b *remoteBackend) Get(ctx context.Context, hostname string) (*hostResult, error) {
	return hostCall(b.c.Get(ctx, hostname))
}

func (b *remoteBackend) List(ctx context.Context, q listQuery) (*listResult, error) {
	all := &api.Page{Certificates: []api.Hostname{}}
	opts := api.ListOptions{Filter: q.filter, Labels: q.labels, Sort: q.sort, Desc: q.desc}
	for {
		if q.limit > 0 {
			opts.Limit = min(q.limit-len(all.Certificates), 100)
		}
		page, err := b.c.List(ctx, opts)
		if err != nil {
			return nil, err
		}
		all.Certificates, all.TotalCount, all.NextCursor = append(all.Certificates, page.Certificates...), page.TotalCount, page.NextCursor
		if page.NextCursor == nil || (q.limit > 0 && len(all.Certificates) >= q.limit) {
			break
		}
		opts.Cursor = *page.NextCursor
	}
	res := &listResult{total: all.TotalCount, native: all}
	for i := range all.Certificates {
		res.views = append(res.views, viewOfAPI(&all.Certificates[i]))
	}
	return res, nil
}

func (b *remoteBackend) Import(ctx context.Context, hostname string, up *upload, names []string, allNames bool) (*hostResult, error) {
	return hostCall(b.c.Import(ctx, api.ImportCustom{Hostname: hostname, Upload: up.apiUpload(), Names: names, AllNames: allNames}))
}

func (b *remoteBackend) Validate(ctx context.Context, hostname string, up *upload) (*api.ValidationReport, error) {
	return b.c.Validate(ctx, api.ValidateCustom{Hostname: hostname, Upload: up.apiUpload()})
}

func (b *remoteBackend) Renew(ctx context.Context, hostname string, req *orderRequest) (*hostResult, error) {
	b.p.Printf("%s: the server is renewing", hostname)
	return hostCall(b.c.Renew(ctx, hostname, api.Renew{
		KeyType: req.keyType, AltKeyType: req.altKeyType, Challenge: req.challenge, Profile: req.profile,
		AutoRenew: req.autoRenew, DNSProvider: req.dnsProvider, DNSCredentials: req.dnsCredentials,
	}))
}

func (b *remoteBackend) Revoke(ctx context.Context, hostname, reason string) (*hostResult, error) {
	r, err := parseReason(reason)
	if err != nil {
		return nil, err
	}
	return hostCall(b.c.Revoke(ctx, hostname, reasons[r]))
}

func (b *remoteBackend) Check(ctx context.Context, hostname string) (*hostResult, error) {
	res, err := b.c.Check(ctx, hostname)
	if err != nil {
		return nil, err
	}
	return &hostResult{view: viewOfAPI(&res.Hostname), native: res}, nil
}

func (b *remoteBackend) Remove(ctx context.Context, hostname, source string) (*hostResult, error) {
	switch source {
	case "":
		return nil, b.c.Delete(ctx, hostname)
	case string(certs.SourceCustom):
		return hostCall(b.c.DeleteCustom(ctx, hostname))
	}
	return hostCall(b.c.DeleteACME(ctx, hostname))
}

func (b *remoteBackend) Download(ctx context.Context, hostname, source string) (*download, error) {
	if source == "" {
		st, err := b.c.Status(ctx, hostname)
		if err != nil {
			return nil, err
		}
		if st.Source == nil {
			return nil, &api.Problem{Status: 428, Code: "no_certificate", Detail: hostname + " holds no certificate yet"}
		}
		source = *st.Source
	}
	d := &download{source: source}
	for _, part := range []struct {
		kind string
		dst  *[]byte
	}{{"fullchain", &d.fullchain}, {"leaf", &d.leaf}, {"chain", &d.chain}} {
		var err error
		if *part.dst, err = b.c.Download(ctx, hostname, source, part.kind); err != nil {
			return nil, err
		}
	}
	var err error
	d.key, err = b.c.PrivateKey(ctx, hostname, source)
	return d, err
}
