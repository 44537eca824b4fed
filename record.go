package certs

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/certs-dev/certs/store"
)

// keyring holds a hostname's secrets: the PEM private keys of its
// certificates by source, and other secrets under keys of their own (such
// as dnsCredentialsKey). Each is stored as the Store secret
// secretName(key). It never leaves the package except through PrivateKey.
type keyring map[Source][]byte

// altKey is the keyring slot of the ACME certificate of the other key
// family (Host.ACMEAlt).
const altKey Source = "acme-alt"

// encodeRecord turns a host and its keys into a Store record.
func encodeRecord(h *Host, keys keyring) (*store.Record, error) {
	data, err := json.Marshal(toRecord(h))
	if err != nil {
		return nil, fmt.Errorf("certs: encode %s: %w", h.Hostname, err)
	}
	rec := &store.Record{
		Name:      h.Hostname,
		CreatedAt: h.CreatedAt,
		UpdatedAt: h.UpdatedAt,
		ExpiresAt: h.expiresAt(),
		Data:      data,
		Labels:    maps.Clone(h.Labels),
		Secrets:   make(map[string][]byte, len(keys)),
	}
	for src, k := range keys {
		rec.Secrets[secretName(src)] = k
	}
	return rec, nil
}

// decodeRecord reads a Store record back into a host and its keys.
func decodeRecord(rec *store.Record) (*Host, keyring, error) {
	var r hostRecord
	if err := json.Unmarshal(rec.Data, &r); err != nil {
		return nil, nil, fmt.Errorf("certs: decode %s: %w", rec.Name, err)
	}
	h, err := r.host()
	if err != nil {
		return nil, nil, fmt.Errorf("certs: decode %s: %w", rec.Name, err)
	}
	if h.Hostname != rec.Name {
		return nil, nil, fmt.Errorf("certs: decode %s: record holds hostname %q", rec.Name, h.Hostname)
	}
	keys := make(keyring, len(rec.Secrets))
	for name, k := range rec.Secrets {
		if src, ok := strings.CutSuffix(name, ".key"); ok {
			keys[Source(src)] = k
		}
	}
	return h, keys, nil
}

// serveMode says how servedFor loads certificates.
type serveMode int

const (
	// serveStored is for records read back from the Store: keys are parsed
	// at their first handshake, and a certificate that cannot be loaded is
	// logged and skipped, so that one bad record never stops the others
	// from being served.
	serveStored serveMode = iota
	// serveWrite is for a record about to be stored: its keys are checked
	// now, and a certificate that cannot be loaded is an error (a write
	// must not store what it cannot serve).
	serveWrite
	// serveStub loads nothing: every name the record serves gets a stub
	// that a handshake loads from the Store (Config.MaxLoadedHostnames).
	serveStub
)

// servedFor builds what a host serves: its own hostname and its further
// names (see claims.go). Revoked certificates are not served, nor a custom
// certificate (or one of its further names) waiting for its ownership TXT
// record; their names stay held. A certificate that names an OCSP
// responder gets the response held for it stapled (see ocsp.go). It
// returns nil when the host holds nothing.
func (m *Manager) servedFor(h *Host, keys keyring, mode serveMode) (*serving, error) {
	now := m.now()
	own := &served{host: h.Hostname}
	extra := map[string]*served{}
	if p := h.Pending; p != nil {
		for _, n := range p.Names {
			if n != h.Hostname {
				extra[n] = nil
			}
		}
	}
	for _, c := range []*Certificate{h.Custom, h.ACME, h.ACMEAlt} {
		if c == nil {
			continue
		}
		names := c.servedNames(h.Hostname)
		for _, n := range names[1:] {
			if _, ok := extra[n]; !ok {
				extra[n] = nil
			}
		}
		if c.RevokedAt != nil {
			continue
		}
		tc, alt, err := m.loadServed(h, c, keys, mode, now)
		if err != nil {
			return nil, err
		}
		if tc == nil && mode != serveStub {
			continue
		}
		for _, n := range names {
			if c.Source == SourceCustom && !h.ownershipVerified(n) {
				continue
			}
			e := own
			if n != h.Hostname {
				if e = extra[n]; e == nil {
					e = &served{host: h.Hostname}
					extra[n] = e
				}
			}
			if mode == serveStub {
				e.stub = true
				continue
			}
			e.add(c, tc, alt)
		}
	}
	if own.custom == nil && own.acme == nil && own.acmeAlt == nil && !own.stub {
		own = nil
	}
	if own == nil && len(extra) == 0 {
		return nil, nil
	}
	return &serving{own: own, extra: extra}, nil
}

// loadServed loads the key pair of c, one of h's certificates, as mode
// says, with its OCSP response stapled; alt reports the ACME certificate
// of the other key family. It returns nil (and no error) for a stub, and
// for a stored certificate that cannot be loaded (logged).
func (m *Manager) loadServed(h *Host, c *Certificate, keys keyring, mode serveMode, now time.Time) (*tls.Certificate, bool, error) {
	slot := c.Source
	if c == h.ACMEAlt {
		slot = altKey
	}
	if mode == serveStub {
		return nil, slot == altKey, nil
	}
	load := lazyKeyPair // read back from the Store: parse the key at first use
	if mode == serveWrite {
		load = keyPair // about to be stored: check the key now
	}
	tc, err := load(c, keys[slot])
	if len(keys[slot]) == 0 {
		tc, err = nil, fmt.Errorf("certs: %s certificate has no private key in the store", c.Source)
	}
	if err != nil {
		if mode == serveWrite {
			return nil, false, err
		}
		m.log.Error("certs: cannot serve certificate", "hostname", h.Hostname, "source", c.Source, "error", err)
		return nil, false, nil
	}
	m.ocsp.attach(c, tc, now)
	return tc, slot == altKey, nil
}

// add serves tc, the key pair of c, from e; alt marks the ACME certificate
// of the other key family.
func (e *served) add(c *Certificate, tc *tls.Certificate, alt bool) {
	switch {
	case alt:
		e.acmeAlt = tc
	case c.Source == SourceCustom:
		e.custom = tc
		e.customNotBefore, e.customNotAfter = c.NotBefore, c.NotAfter
		e.customUnstapled = tc.OCSPStaple == nil && mustStaple(tc.Leaf)
	default:
		e.acme = tc
	}
}

func keyPair(c *Certificate, keyPEM []byte) (*tls.Certificate, error) {
	tc, err := tls.X509KeyPair([]byte(c.ChainPEM), keyPEM)
	if err != nil {
		// X509KeyPair's errors never contain key material.
		return nil, fmt.Errorf("certs: load %s key pair: %w", c.Source, err)
	}
	return &tc, nil
}

// update runs a read-modify-write cycle on one hostname under its record
// lock (lockRecord): load (or, when create is set, start a new host), let fn
// change it, store it, then publish what it serves. When fn or the Store fails nothing changes. It returns the
// stored host with derived fields filled in.
func (m *Manager) update(ctx context.Context, name string, create bool, fn func(*Host, keyring) error) (*Host, error) {
	unlock, err := m.lockRecord(ctx, name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	h, keys, version, err := m.loadVersion(ctx, name)
	if create && errors.Is(err, ErrNotFound) {
		now := m.now()
		h, keys, err = &Host{Hostname: name, CreatedAt: now}, keyring{}, nil
	}
	if err != nil {
		return nil, err
	}
	stapled := ocspFingerprints(h)
	if err := fn(h, keys); err != nil {
		return nil, err
	}
	e, err := m.servedFor(h, keys, serveWrite)
	if err != nil {
		return nil, err
	}
	h.UpdatedAt = m.now()
	rec, err := encodeRecord(h, keys)
	if err != nil {
		return nil, err
	}
	if err := m.put(ctx, rec, version); err != nil {
		return nil, err
	}
	m.dropStaples(ctx, stapled, h)
	m.publishAs(name, e, true)
	h.derive(m.now(), m.expiringWithin)
	return h, nil
}

// loadVersion is load with the record's version when the Store keeps
// versions (store.Versioned); version is -1 otherwise.
func (m *Manager) loadVersion(ctx context.Context, name string) (*Host, keyring, int64, error) {
	if v, ok := m.store.(store.Versioned); ok {
		rec, version, err := v.GetVersion(ctx, name)
		if !errors.Is(err, store.ErrNotVersioned) {
			if err != nil {
				if errors.Is(err, ErrNotFound) {
					return nil, nil, 0, err // PutIf with 0: it must not exist
				}
				return nil, nil, -1, err
			}
			h, keys, err := decodeRecord(rec)
			return h, keys, version, err
		}
	}
	h, keys, err := m.load(ctx, name)
	return h, keys, -1, err
}

// put stores rec: with a version (see loadVersion) only if nobody changed
// the record since it was read, which holds even when this process lost
// its lock without noticing; a refused write wraps ErrConflict.
func (m *Manager) put(ctx context.Context, rec *store.Record, version int64) error {
	v, ok := m.store.(store.Versioned)
	if !ok || version < 0 {
		return m.store.Put(ctx, rec)
	}
	if _, err := v.PutIf(ctx, rec, version); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("%w: %s was changed by another process while this one held its lock; try again", ErrConflict, rec.Name)
		}
		return err
	}
	return nil
}

// load reads one host and its keys from the Store.
func (m *Manager) load(ctx context.Context, name string) (*Host, keyring, error) {
	rec, err := m.store.Get(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	return decodeRecord(rec)
}

// refresh serves what the Store holds for name (another process may have
// changed it) and returns the host.
func (m *Manager) refresh(ctx context.Context, name string) (*Host, error) {
	h, _, err := m.refreshAs(ctx, name, false)
	return h, err
}

// refreshAs is refresh that also returns what the record serves; hold
// makes it held in memory (see publishAs).
func (m *Manager) refreshAs(ctx context.Context, name string, hold bool) (*Host, *serving, error) {
	unlock := m.hostLocks.lock(name)
	defer unlock()
	h, keys, err := m.load(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	m.loadStaples(ctx, h)
	e, _ := m.servedFor(h, keys, serveStored)
	e = m.publishAs(name, e, hold)
	h.derive(m.now(), m.expiringWithin)
	m.withRequirements(h)
	return h, e, nil
}
