package acme

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"time"
)

// defaultRequestTimeout bounds one HTTP request to the CA when
// Config.HTTPClient is nil.
const defaultRequestTimeout = time.Minute

// httpTemplate is the part of Config.HTTPClient that per-call clients copy.
type httpTemplate struct {
	transport http.RoundTripper
	timeout   time.Duration
	client    *http.Client // may be nil
}

// newHTTPTemplate combines Config.HTTPClient and Config.Roots.
func newHTTPTemplate(client *http.Client, roots *x509.CertPool) (*httpTemplate, error) {
	t := &httpTemplate{transport: http.DefaultTransport, timeout: defaultRequestTimeout, client: client}
	if client != nil {
		t.timeout = client.Timeout
		if client.Transport != nil {
			t.transport = client.Transport
		}
	}
	if roots == nil {
		return t, nil
	}
	base, ok := t.transport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("acme: Config.Roots needs Config.HTTPClient.Transport to be an *http.Transport (it is %T); set the roots in your transport instead", t.transport)
	}
	tr := base.Clone()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tr.TLSClientConfig.RootCAs = roots
	t.transport = tr
	return t, nil
}

// clientFor returns a new client whose every request is bound to ctx. lego
// takes no context: this is how its requests honour ctx. A new client per
// call also keeps lego from wrapping a shared client's Transport.
func (t *httpTemplate) clientFor(ctx context.Context) *http.Client {
	c := &http.Client{Transport: &ctxTransport{ctx: ctx, base: t.transport}, Timeout: t.timeout}
	if t.client != nil {
		c.Jar = t.client.Jar
		c.CheckRedirect = t.client.CheckRedirect
	}
	return c
}

// ctxTransport binds requests to a context: once it is done, requests fail
// at once with its error.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

// RoundTrip sends req under t.ctx.
func (t *ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.ctx.Err(); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(req.WithContext(t.ctx))
}
