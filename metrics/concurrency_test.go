package metrics_test

import (
	"crypto/tls"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
)

// TestConcurrentUse runs handshakes (through the wrapper), scrapes that
// collect, Refresh calls and imports at once (go test -race); every
// handshake is counted once, and every imported certificate by its source.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{metrics: metricsNoCache()})
	e.importCustom("shop.example.com", time.Hour)
	get := e.mx.WrapGetCertificate(e.m.GetCertificate)
	const workers, rounds = 4, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			hello := &tls.ClientHelloInfo{ServerName: "shop.example.com"}
			for range rounds {
				_, err := get(hello)
				assert.NoError(t, err)
			}
		})
		wg.Go(func() { assert.NotEmpty(t, scrapeQuietly(e.url)) })
		wg.Go(func() { assert.NoError(t, e.mx.Refresh(t.Context())) })
		wg.Go(func() {
			name := fmt.Sprintf("new%d.example.com", w)
			in, err := e.local.Issue(time.Hour, name)
			if assert.NoError(t, err) {
				_, err = e.m.Import(t.Context(), name, in, certs.ImportOptions{})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	for w := range workers {
		_, err := get(&tls.ClientHelloInfo{ServerName: fmt.Sprintf("new%d.example.com", w)})
		require.NoError(t, err)
	}
	got := e.scrape()
	require.Equal(t, float64(workers*rounds+workers), got[key("certs_handshakes_served_total", "source", "custom")])
	require.Equal(t, 0.0, got[key("certs_handshakes_served_total", "source", "unknown")])
	require.Equal(t, float64(workers+1), got[key("certs_events_total", "type", "imported")])
}
