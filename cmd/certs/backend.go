package main

import (
	"context"
	"time"

	"github.com/certs-dev/certs/api"
)

// backend is where a command works: a local store (localBackend, through a
// certs.Manager) or a server (remoteBackend, through the api.Client).
// Every result carries the view the tables print and the native value
// --json prints: a certs type locally, an api type remotely.
type backend interface {
	List(ctx context.Context, q listQuery) (*listResult, error)
	Get(ctx context.Context, hostname string) (*hostResult, error)
	Import(ctx context.Context, hostname string, up *upload, names []string, allNames bool) (*hostResult, error)
	// Validate checks an upload without storing it; the report has the
	// API's shape in both modes.
	Validate(ctx context.Context, hostname string, up *upload) (*api.ValidationReport, error)
	Obtain(ctx context.Context, hostname string, req *orderRequest) (*hostResult, error)
	Renew(ctx context.Context, hostname string, req *orderRequest) (*hostResult, error)
	Revoke(ctx context.Context, hostname, reason string) (*hostResult, error)
	Check(ctx context.Context, hostname string) (*hostResult, error)
	// Remove removes the hostname (source "") or one of its certificates;
	// the hostname is then returned, nil after removing it all.
	Remove(ctx context.Context, hostname, source string) (*hostResult, error)
	// Download returns a certificate and its key: the served one for
	// source "".
	Download(ctx context.Context, hostname, source string) (*download, error)
	Close()
}

// listQuery selects and orders list.
type listQuery struct {
	filter string
	labels map[string]string
	sort   string // name, expiry, created
	desc   bool
	limit  int // 0: all
}

// hostResult is one hostname.
type hostResult struct {
	view   hostView
	native any
}

// listResult is the hostnames of a list.
type listResult struct {
	views  []hostView
	total  int
	native any
}

// orderRequest is what obtain and renew ask of the CA.
type orderRequest struct {
	altNames                                []string
	challenge, keyType, altKeyType, profile string
	dnsProvider                             string
	dnsCredentials                          map[string]string
	autoRenew                               *bool
	dryRun                                  bool
	// Local only: where to answer HTTP-01 and TLS-ALPN-01 meanwhile.
	httpAddr, tlsAddr string
	// Remote only: wait for the server's order (obtain), at most timeout.
	wait    bool
	timeout time.Duration
}

// download is a certificate as files.
type download struct {
	source                      string
	fullchain, leaf, chain, key []byte
}
