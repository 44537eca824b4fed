package certs

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/certs-dev/certs/store"
)

// keyring holds a hostname's secrets: the PEM private keys of its
// certificates by source, and other secrets under keys of their own (such
// as dnsCredentialsKey). Each is stored as the Store secret
// secretName(key). It never leaves the package except through PrivateKey.
type keyring map[Source][]byte

// encodeRecord turns a host and its keys into a Store record.
func encodeRecord(h *Host, keys keyring) (*store.Record, error) {
	stored := *h
	stored.DNSRequirements = nil // derived on read
	data, err := json.Marshal(&stored)
	if err != nil {
		return nil, fmt.Errorf("certs: encode %s: %w", h.Hostname, err)
	}
	rec := &store.Record{
		Name:      h.Hostname,
		CreatedAt: h.CreatedAt,
		UpdatedAt: h.UpdatedAt,
		ExpiresAt: h.expiresAt(),
		Data:      data,
		Secrets:   make(map[string][]byte, len(keys)),
	}
	for src, k := range keys {
		rec.Secrets[secretName(src)] = k
	}
	return rec, nil
}

// decodeRecord reads a Store record back into a host and its keys.
func decodeRecord(rec *store.Record) (*Host, keyring, error) {
	var h Host
	if err := json.Unmarshal(rec.Data, &h); err != nil {
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
	return &h, keys, nil
}

// servedFor builds what a host serves: its own hostname and its further
// names (see claims.go). Revoked certificates are not served, nor a custom
// certificate (or one of its further names) waiting for its ownership TXT
// record; their names stay held. A certificate whose key pair cannot be
// loaded is an error when strict (a write must not store what it cannot
// serve); otherwise it is logged and skipped, so that one bad record never
// stops the others from being served. It returns nil when the host holds
// nothing.
func (m *Manager) servedFor(h *Host, keys keyring, strict bool) (*serving, error) {
	own := &served{host: h.Hostname}
	extra := map[string]*served{}
	if p := h.Pending; p != nil {
		for _, n := range p.Names {
			if n != h.Hostname {
				extra[n] = nil
			}
		}
	}
	for _, c := range []*Certificate{h.Custom, h.ACME} {
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
		tc, err := keyPair(c, keys[c.Source])
		if err != nil {
			if strict {
				return nil, err
			}
			m.log.Error("certs: cannot serve certificate", "hostname", h.Hostname, "source", c.Source, "error", err)
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
			e.add(c, tc)
		}
	}
	if own.custom == nil && own.acme == nil {
		own = nil
	}
	if own == nil && len(extra) == 0 {
		return nil, nil
	}
	return &serving{own: own, extra: extra}, nil
}

// add serves tc, the key pair of c, from e.
func (e *served) add(c *Certificate, tc *tls.Certificate) {
	if c.Source == SourceCustom {
		e.custom = tc
		e.customNotBefore, e.customNotAfter = c.NotBefore, c.NotAfter
	} else {
		e.acme = tc
	}
}

func keyPair(c *Certificate, keyPEM []byte) (*tls.Certificate, error) {
	if len(keyPEM) == 0 {
		return nil, fmt.Errorf("certs: %s certificate has no private key in the store", c.Source)
	}
	tc, err := tls.X509KeyPair([]byte(c.ChainPEM), keyPEM)
	if err != nil {
		// X509KeyPair's errors never contain key material.
		return nil, fmt.Errorf("certs: load %s key pair: %w", c.Source, err)
	}
	return &tc, nil
}
