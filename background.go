package certs

import (
	"context"
	"crypto/tls"
	"errors"
)

// loadInBackground starts loading every stored hostname (Reload) and
// returns at once (Config.BackgroundLoad).
func (m *Manager) loadInBackground() {
	m.loaded = make(chan struct{})
	m.loading.Store(true)
	go func() {
		defer close(m.loaded)
		err := m.Reload(context.Background())
		var damaged *DamagedRecordsError
		if err != nil && !errors.As(err, &damaged) {
			m.log.Error("certs: loading the stored hostnames", "error", err)
		}
		m.loadErr = err
		m.loading.Store(false)
	}()
}

// Loaded waits until the stored hostnames are loaded and returns what New
// would have returned for the load (nil, a *DamagedRecordsError when
// damaged records were skipped, or the Store's error). Without
// Config.BackgroundLoad, New has loaded them already and Loaded returns nil
// at once.
func (m *Manager) Loaded(ctx context.Context) error {
	if m.loaded == nil {
		return nil
	}
	select {
	case <-m.loaded:
		return m.loadErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// loadingCertificate serves a name the index does not hold yet while the
// background load runs: from the Store, or as an unknown (or on-demand)
// name when it is not stored.
func (m *Manager) loadingCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if m.onDemand != nil {
		return m.onDemandCertificate(hello) // it reads the Store first too
	}
	name, err := helloName(hello)
	if err != nil {
		return nil, err
	}
	if c, err := m.loadStored(helloContext(hello), hello, name); c != nil || err != nil {
		return c, err
	}
	return nil, unknownHost(hello.ServerName)
}
