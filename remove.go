package certs

import (
	"context"
	"errors"
	"fmt"
)

// Remove deletes a hostname and all its certificates, and stops serving it.
// Removing a hostname the Manager does not hold is not an error; removing
// one whose record is damaged (ErrDamaged) deletes the record. When
// Config.InUse reports the hostname in use, Remove refuses with ErrInUse.
func (m *Manager) Remove(ctx context.Context, hostname string) error {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return err
	}
	removed, err := m.remove(ctx, name)
	if err != nil || !removed {
		return err
	}
	// After the record lock is released: a subscriber may call back.
	m.log.Info("certs: removed hostname", "hostname", name)
	m.emit(ctx, EventRemoved, name, "", nil, nil)
	return nil
}

// remove deletes name under its record lock and reports whether it existed.
func (m *Manager) remove(ctx context.Context, name string) (bool, error) {
	unlock, err := m.lockRecord(ctx, name)
	if err != nil {
		return false, err
	}
	defer unlock()
	// A damaged record is removed too: that is how it is repaired.
	rec, err := m.store.Get(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil && !errors.Is(err, ErrDamaged) {
		return false, fmt.Errorf("certs: remove %s: %w", name, err)
	}
	var stapled []string // OCSP responses kept for its certificates
	if err == nil {
		if h, _, err := decodeRecord(rec); err == nil {
			stapled = ocspFingerprints(h)
		}
	}
	if err := m.guard(ctx, name); err != nil {
		return false, err
	}
	if err := m.store.Delete(ctx, name); err != nil {
		return false, fmt.Errorf("certs: remove %s: %w", name, err)
	}
	m.publish(name, nil)
	m.sched.unschedule(name)
	m.forget(name)
	m.dropStaples(ctx, stapled, &Host{Hostname: name})
	return true, nil
}

// RemoveCustom removes a hostname's custom certificate; its ACME
// certificate, if any, goes on being served. The hostname stays.
func (m *Manager) RemoveCustom(ctx context.Context, hostname string) (*Host, error) {
	return m.removeSource(ctx, hostname, SourceCustom)
}

// RemoveACME removes a hostname's ACME certificate and stops requesting
// one: a pending order is withdrawn and no longer retried, and the stored
// credentials of a DNS provider given by name are deleted. Its custom
// certificate, if any, goes on being served. The hostname stays.
func (m *Manager) RemoveACME(ctx context.Context, hostname string) (*Host, error) {
	return m.removeSource(ctx, hostname, SourceACME)
}

func (m *Manager) removeSource(ctx context.Context, hostname string, src Source) (*Host, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return nil, err
	}
	var removed *Certificate
	h, err := m.update(ctx, name, false, func(h *Host, keys keyring) error {
		other := h.Custom
		if src == SourceCustom {
			other = h.ACME
		}
		if other == nil || other.RevokedAt != nil {
			if err := m.guard(ctx, name); err != nil {
				return err
			}
		}
		removed = h.Certificate(src)
		h.setCertificate(src, nil)
		delete(keys, src)
		if src == SourceACME {
			h.ACMEAlt = nil
			delete(keys, altKey)
			h.ACMERequested = false
			h.ValidationErrors = nil
			h.Pending = nil // withdrawn: the scheduler stops retrying it
			delete(keys, dnsCredentialsKey)
			delete(keys, pendingDNSCredentialsKey)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("certs: remove %s certificate of %s: %w", src, name, err)
	}
	m.sched.schedule(name, m.nextWake(h))
	if removed != nil {
		m.log.Info("certs: removed certificate", "hostname", name, "source", src)
		m.emit(ctx, EventRemoved, name, src, removed, nil)
	}
	return h, nil
}

// guard asks Config.InUse whether a removal may proceed.
func (m *Manager) guard(ctx context.Context, name string) error {
	if m.inUse == nil {
		return nil
	}
	used, err := m.inUse(ctx, name)
	if err != nil {
		return fmt.Errorf("certs: in-use check for %s: %w", name, err)
	}
	if used {
		return fmt.Errorf("%w: %s", ErrInUse, name)
	}
	return nil
}
