package acme_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

func TestAccountReuse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	c := newCounter(e.srv.Transport())
	st := store.NewMemory()
	withStore := func(cfg *acme.Config) { cfg.Store = st }
	ctx := testContext(t)

	first := e.issuer(t, withCounter(c), withStore)
	for range 2 {
		_, err := first.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
		require.NoError(t, err)
	}
	require.Equal(t, 1, c.count(newAccountPost), "second Issue reuses the account")

	restarted := e.issuer(t, withCounter(c), withStore) // as after a restart
	_, err := restarted.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
	require.NoError(t, err)
	require.Equal(t, 1, c.count(newAccountPost), "a new Issuer on the same store reuses the account")
	require.Equal(t, 3, c.count(newOrderPost))

	sum := sha256.Sum256([]byte(e.srv.DirectoryURL))
	blob, err := st.GetBlob(ctx, "acme/accounts/"+hex.EncodeToString(sum[:])+"/ops_40example.com/account.json")
	require.NoError(t, err)
	var f struct {
		Directory    string `json:"directory"`
		Email        string `json:"email"`
		KeyPEM       string `json:"key_pem"`
		Registration struct {
			URI string `json:"uri"`
		} `json:"registration"`
	}
	require.NoError(t, json.Unmarshal(blob, &f))
	require.Equal(t, e.srv.DirectoryURL, f.Directory)
	require.Equal(t, "ops@example.com", f.Email)
	require.Contains(t, f.KeyPEM, "PRIVATE KEY")
	require.NotEmpty(t, f.Registration.URI)

	other := e.issuer(t, withCounter(c), withStore, func(cfg *acme.Config) { cfg.Email = "" })
	_, err = other.Issue(ctx, certs.IssueRequest{Names: []string{pebbletest.UniqueDomain("")}, HTTP01: e.http01, DryRun: true})
	require.NoError(t, err)
	require.Equal(t, 2, c.count(newAccountPost), "another email is another account")
}

func TestAccountConcurrentFirstUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	c := newCounter(e.srv.Transport())
	st := store.NewMemory() // a Locker: Issuers sharing it create one account
	withStore := func(cfg *acme.Config) { cfg.Store = st }
	issuers := []*acme.Issuer{e.issuer(t, withCounter(c), withStore), e.issuer(t, withCounter(c), withStore)}
	ctx := testContext(t)

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for n := range 8 {
		wg.Go(func() {
			req := e.request(pebbletest.UniqueDomain(""))
			req.DryRun = n%2 == 0
			_, err := issuers[n%2].Issue(ctx, req)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 1, c.count(newAccountPost))
}

func TestAccountCancelledWhileWaiting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, pebbletest.Options{})
	iss := e.issuer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := iss.Issue(ctx, e.request(pebbletest.UniqueDomain("")))
	require.ErrorIs(t, err, context.Canceled)
}
