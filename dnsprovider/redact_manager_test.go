package dnsprovider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/dnsprovider"
	"github.com/certs-dev/certs/internal/pebbletest"
	"github.com/certs-dev/certs/store"
)

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestManagerErrorsCarryNoDNSCredentials: a lego provider whose DNS API
// echoes the credentials into its errors fails an order and a renewal
// through the Manager (against Pebble); the returned errors, the events'
// Err, the stored LastRenewError and every log line (the Manager's and the
// Issuer's, whose clean-up failures are WARN lines) are free of them.
func TestManagerErrorsCarryNoDNSCredentials(t *testing.T) {
	srv := pebbletest.Start(t, pebbletest.Options{})
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	iss, err := acme.New(acme.Config{DirectoryURL: srv.DirectoryURL, AgreeTOS: true, HTTPClient: srv.HTTPClient(),
		Store: store.NewMemory(), Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DNSResolvers: []string{srv.DNSAddr}, DefaultProfile: "shortlived", PropagationTimeout: -1})
	require.NoError(t, err)
	m, err := certs.New(certs.Config{Store: store.NewMemory(), Issuer: iss, Logger: logger,
		Clock: func() time.Time { return time.Now().Add(time.Minute) }}) // ahead of Pebble's NotBefore
	require.NoError(t, err)
	srv.HandleHTTP01(t, m.HTTPHandler(nil))
	var mu sync.Mutex
	var events []certs.Event
	m.Subscribe(func(ev certs.Event) { mu.Lock(); events = append(events, ev); mu.Unlock() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	leaky := dnsprovider.FromLego(echoProvider(t), echoUser, echoed)
	renewed, obtained := pebbletest.UniqueDomain(""), pebbletest.UniqueDomain("")
	_, err = m.Obtain(ctx, renewed, certs.ObtainOptions{Challenge: certs.ChallengeHTTP01})
	require.NoError(t, err)
	_, err = m.Renew(ctx, renewed, certs.RenewOptions{Challenge: certs.ChallengeDNS01, DNSProvider: leaky})
	require.ErrorContains(t, err, "unexpected status code: [status code: 401]")
	requireNoForm(t, err)
	_, err = m.Obtain(ctx, obtained, certs.ObtainOptions{Challenge: certs.ChallengeDNS01, DNSProvider: leaky})
	require.ErrorContains(t, err, "[redacted]")
	requireNoForm(t, err)

	h, err := m.Get(ctx, renewed)
	require.NoError(t, err)
	require.Contains(t, h.ACME.LastRenewError, "[redacted]")
	stored, err := json.Marshal(h)
	require.NoError(t, err)
	requireNoForm(t, string(stored))

	mu.Lock()
	defer mu.Unlock()
	failures := map[certs.EventType]string{}
	for _, ev := range events {
		if ev.Err != "" {
			failures[ev.Type] = ev.Err
		}
		requireNoForm(t, ev.Err)
	}
	require.Contains(t, failures, certs.EventRenewalFailed)
	require.Contains(t, failures, certs.EventObtainFailed)
	require.Contains(t, logs.String(), "clean-up failed", "the Issuer logged the failed clean-up")
	requireNoForm(t, logs.String())
}
