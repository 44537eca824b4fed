package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
)

// maxResponseBytes caps what the Client reads of an answer.
const maxResponseBytes = 16 << 20

// Client is a typed Go client of the certificate API. Its errors are
// *Problem values, which errors.Is matches against the root package's
// sentinels (certs.ErrNotFound, certs.ErrKeyMismatch, ...). It is safe for
// concurrent use; its String never shows the token.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// NewClient returns a Client of the API at baseURL (where the handler is
// mounted, e.g. "https://certs.example.net/api") authenticating with
// token. A nil httpClient means http.DefaultClient.
func NewClient(baseURL, token string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("api: the base URL %q is not an http(s) URL", baseURL)
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: u, token: token, http: httpClient}, nil
}

// String describes the client without its token.
func (c *Client) String() string { return "api.Client{" + c.base.Redacted() + ", token redacted}" }

// Format makes every fmt verb print String.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// LogValue makes slog print String.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// call sends a request to path (escaped segments) with query and an
// optional JSON body, and decodes a JSON answer into out (when not nil).
func (c *Client) call(ctx context.Context, method string, path []string, query url.Values, in, out any) error {
	resp, err := c.do(ctx, method, path, query, in, "application/json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(out); err != nil {
		return fmt.Errorf("api: %s %s: decode the answer: %w", method, resp.Request.URL.Path, err)
	}
	return nil
}

// raw sends a GET accepting mediaType and returns the body.
func (c *Client) raw(ctx context.Context, path []string, query url.Values, mediaType string) ([]byte, error) {
	resp, err := c.do(ctx, http.MethodGet, path, query, nil, mediaType)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
}

// do sends the request and turns an error answer into a *Problem.
func (c *Client) do(ctx context.Context, method string, path []string, query url.Values, in any, accept string) (*http.Response, error) {
	u := c.base.JoinPath(path...)
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("api: encode the request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", accept)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("api: %s %s: %w", method, u.Path, err)
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, readProblem(resp)
}

// readProblem decodes an error answer; one that is not a problem becomes
// a Problem with its status and the start of its body.
func readProblem(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/problem+json" {
		var p Problem
		if err := json.Unmarshal(b, &p); err == nil && p.Status != 0 {
			return &p
		}
	}
	return &Problem{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode),
		Detail: fmt.Sprintf("the server answered %s: %.200s", resp.Status, b)}
}

// IsProblem reports whether err is a *Problem with the given code.
func IsProblem(err error, code string) bool {
	var p *Problem
	return errors.As(err, &p) && p.Code == code
}
