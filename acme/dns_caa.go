package acme

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"

	"github.com/certs-dev/certs"
)

// How long the CA's CAA identities are kept, and a failure to fetch them
// (so that a CA that is down is not asked again at every Check).
const (
	caaIdentitiesTTL = time.Hour
	caaFailureTTL    = 30 * time.Second
)

var _ certs.CAAIdentifier = (*Issuer)(nil)

// caaCache keeps the CA's CAA identities, or the failure to fetch them,
// between directory fetches.
type caaCache struct {
	mu  sync.Mutex
	ids []string
	err error
	at  time.Time
}

// get returns what is kept and whether it is still fresh at now.
func (c *caaCache) get(now time.Time) ([]string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ttl := caaIdentitiesTTL
	if c.err != nil {
		ttl = caaFailureTTL
	}
	if c.at.IsZero() || now.Sub(c.at) > ttl {
		return nil, false, nil
	}
	return slices.Clone(c.ids), true, c.err
}

func (c *caaCache) set(ids []string, err error, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids, c.err, c.at = slices.Clone(ids), err, now
}

// CAAIdentities returns the domains that the CA recognises in CAA issue
// records as its own: the meta.caaIdentities of its ACME directory (RFC
// 8555 section 7.1.1), lowercase. A CA that lists none gives an empty
// list. The directory is fetched on first use (no account is needed) and
// kept for an hour; a failure is kept for 30 seconds. It implements
// certs.CAAIdentifier, so the Manager's Check and Obtain pre-flight check
// CAA against the CA actually in use.
func (i *Issuer) CAAIdentities(ctx context.Context) ([]string, error) {
	if ids, ok, err := i.dns.caa.get(time.Now()); ok {
		return ids, err
	}
	dir, err := i.fetchDirectory(ctx)
	if err != nil {
		if ctx.Err() == nil {
			i.dns.caa.set(nil, err, time.Now())
		}
		return nil, err
	}
	ids := make([]string, 0, len(dir.Meta.CaaIdentities))
	for _, id := range dir.Meta.CaaIdentities {
		if id = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(id), ".")); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	i.dns.caa.set(ids, nil, time.Now())
	return ids, nil
}

// maxDirectorySize bounds the directory document read.
const maxDirectorySize = 1 << 20

// fetchDirectory GETs the CA's directory.
func (i *Issuer) fetchDirectory(ctx context.Context) (*legoacme.Directory, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, i.dirURL, nil)
	if err != nil {
		return nil, fmt.Errorf("acme: fetch directory %s: %w", i.dirURL, err)
	}
	resp, err := i.http.clientFor(ctx).Do(req)
	if err != nil {
		return nil, fmt.Errorf("acme: fetch directory %s: %w", i.dirURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("acme: fetch directory %s: HTTP %s; check Config.DirectoryURL", i.dirURL, resp.Status)
	}
	var dir legoacme.Directory
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDirectorySize)).Decode(&dir); err != nil {
		return nil, fmt.Errorf("acme: fetch directory %s: not an ACME directory (%v); check Config.DirectoryURL", i.dirURL, err)
	}
	return &dir, nil
}
