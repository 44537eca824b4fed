package pebblecore

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"time"
)

// DefaultPause is how long HTTPClient's transport waits after a challenge or
// finalize POST before returning the response.
const DefaultPause = 50 * time.Millisecond

// Pebble's (deliberately unusual) endpoint paths.
const (
	challengePath = "/chalZ/"
	finalizePath  = "/finalize-order/"
)

func newTransport(roots *x509.CertPool) *http.Transport {
	return &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	}
}

// pauseTransport gives Pebble's asynchronous validation and finalization a
// head start, so that a client polling right after its POST sees the final
// state instead of backing off (lego sleeps 5 s after a pending poll).
type pauseTransport struct {
	base  http.RoundTripper
	pause time.Duration
}

// RoundTrip forwards req and pauses after challenge and finalize POSTs. The
// pause ends early when the request's context is done.
func (p *pauseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.base.RoundTrip(req)
	if err != nil || req.Method != http.MethodPost || !pausesAfter(req.URL.Path) {
		return resp, err
	}
	t := time.NewTimer(p.pause)
	defer t.Stop()
	select {
	case <-t.C:
	case <-req.Context().Done():
	}
	return resp, nil
}

func pausesAfter(path string) bool {
	return strings.HasPrefix(path, challengePath) || strings.HasPrefix(path, finalizePath)
}
