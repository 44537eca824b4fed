package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// ListOptions filter and page Client.List; the zero value lists the first
// 100 hostnames by name.
type ListOptions struct {
	Filter string
	Cursor string
	Limit  int
	// Sort is name, expiry or created; Desc reverses it.
	Sort string
	Desc bool
	// Status keeps these statuses; Labels keeps hostnames with all these
	// labels.
	Status []string
	Labels map[string]string
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("filter", o.Filter)
	set("cursor", o.Cursor)
	set("sort", o.Sort)
	set("status", strings.Join(o.Status, ","))
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Desc {
		q.Set("order", "desc")
	}
	for k, v := range o.Labels {
		q.Add("label", k+"="+v)
	}
	return q
}

// hostPath is the path of a hostname resource, plus sub.
func hostPath(hostname string, sub ...string) []string {
	return append([]string{"certificates", url.PathEscape(hostname)}, sub...)
}

// hostCall calls an endpoint that answers a hostname.
func (c *Client) hostCall(ctx context.Context, method string, path []string, in any) (*Hostname, error) {
	var out Hostname
	if err := c.call(ctx, method, path, nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// List lists the tenant's hostnames (GET /certificates).
func (c *Client) List(ctx context.Context, opts ListOptions) (*Page, error) {
	var out Page
	if err := c.call(ctx, http.MethodGet, []string{"certificates"}, opts.query(), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RequestACME adds a hostname and requests an ACME certificate for it
// (POST /certificates/acme).
func (c *Client) RequestACME(ctx context.Context, in RequestACME) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodPost, []string{"certificates", "acme"}, in)
}

// Import adds a hostname with a custom certificate, or replaces its
// custom certificate (POST /certificates/custom).
func (c *Client) Import(ctx context.Context, in ImportCustom) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodPost, []string{"certificates", "custom"}, in)
}

// Validate validates an upload without storing it (POST
// /certificates/validate).
func (c *Client) Validate(ctx context.Context, in ValidateCustom) (*ValidationReport, error) {
	var out ValidationReport
	if err := c.call(ctx, http.MethodPost, []string{"certificates", "validate"}, nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns a hostname (GET /certificates/{hostname}).
func (c *Client) Get(ctx context.Context, hostname string) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodGet, hostPath(hostname), nil)
}

// Check checks a hostname's DNS now (POST /certificates/{hostname}/check).
func (c *Client) Check(ctx context.Context, hostname string) (*CheckResult, error) {
	var out CheckResult
	if err := c.call(ctx, http.MethodPost, hostPath(hostname, "check"), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Status returns the status of the certificate a hostname serves (GET
// /certificates/{hostname}/status).
func (c *Client) Status(ctx context.Context, hostname string) (*CertificateStatus, error) {
	var out CertificateStatus
	if err := c.call(ctx, http.MethodGet, hostPath(hostname, "status"), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Renew renews a hostname's ACME certificate now (POST
// /certificates/{hostname}/renew).
func (c *Client) Renew(ctx context.Context, hostname string, in Renew) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodPost, hostPath(hostname, "renew"), in)
}

// Revoke revokes a hostname's ACME certificate with a reason ("" for
// unspecified) (POST /certificates/{hostname}/revoke).
func (c *Client) Revoke(ctx context.Context, hostname, reason string) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodPost, hostPath(hostname, "revoke"), Revoke{Reason: reason})
}

// SetAutoRenew switches automatic renewal on or off (PATCH
// /certificates/{hostname}/acme).
func (c *Client) SetAutoRenew(ctx context.Context, hostname string, on bool) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodPatch, hostPath(hostname, "acme"), ACMESettings{AutoRenew: &on})
}

// Delete deletes a hostname and all its certificates (DELETE
// /certificates/{hostname}).
func (c *Client) Delete(ctx context.Context, hostname string) error {
	return c.call(ctx, http.MethodDelete, hostPath(hostname), nil, nil, nil)
}

// DeleteACME deletes a hostname's ACME certificates (DELETE
// /certificates/{hostname}/acme).
func (c *Client) DeleteACME(ctx context.Context, hostname string) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodDelete, hostPath(hostname, "acme"), nil)
}

// DeleteCustom deletes a hostname's custom certificate (DELETE
// /certificates/{hostname}/custom).
func (c *Client) DeleteCustom(ctx context.Context, hostname string) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodDelete, hostPath(hostname, "custom"), nil)
}

// SetMetadata replaces a hostname's display name and labels (PUT
// /certificates/{hostname}/metadata).
func (c *Client) SetMetadata(ctx context.Context, hostname string, md Metadata) (*Hostname, error) {
	return c.hostCall(ctx, http.MethodPut, hostPath(hostname, "metadata"), md)
}

// Download returns a certificate as PEM: source "custom", "acme" or ""
// (the one served); kind "fullchain" (or ""), "chain" or "leaf" (GET
// /certificates/{hostname}/download).
func (c *Client) Download(ctx context.Context, hostname, source, kind string) ([]byte, error) {
	q := url.Values{}
	if source != "" {
		q.Set("source", source)
	}
	if kind != "" {
		q.Set("kind", kind)
	}
	return c.raw(ctx, hostPath(hostname, "download"), q, pemChainType)
}

// PrivateKey returns the PEM private key of a certificate (source as in
// Download); the token needs the keys scope (GET
// /certificates/{hostname}/private_key).
func (c *Client) PrivateKey(ctx context.Context, hostname, source string) ([]byte, error) {
	q := url.Values{}
	if source != "" {
		q.Set("source", source)
	}
	return c.raw(ctx, hostPath(hostname, "private_key"), q, pemFileType)
}

// Explain tells which hostname and certificate a handshake for
// serverName gets, and why (GET /explain/{server_name}).
func (c *Client) Explain(ctx context.Context, serverName string) (*Explanation, error) {
	var out Explanation
	if err := c.call(ctx, http.MethodGet, []string{"explain", url.PathEscape(serverName)}, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// OpenAPI fetches the API's OpenAPI document (GET /openapi.yaml).
func (c *Client) OpenAPI(ctx context.Context) ([]byte, error) {
	return c.raw(ctx, []string{"openapi.yaml"}, nil, "application/yaml")
}
