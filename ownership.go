package certs

import (
	"context"
	"slices"
)

// unverifiedNames returns the further names of h's custom certificate that
// wait for their ownership TXT record (Config.DNS.RequireOwnership).
func (h *Host) unverifiedNames() []string {
	if h.Custom == nil || !h.OwnershipRequired {
		return nil
	}
	var out []string
	for _, n := range h.Custom.servedNames(h.Hostname)[1:] {
		if !slices.Contains(h.VerifiedNames, n) {
			out = append(out, n)
		}
	}
	return out
}

// verifyFurtherNames looks up the ownership TXT record of every further
// name of host's custom certificate still waiting for it and returns those
// where it is now found. A name whose lookup fails stays unverified (the
// next Check tries again).
func (m *Manager) verifyFurtherNames(ctx context.Context, host string) []string {
	h, _, err := m.load(ctx, host)
	if err != nil {
		return nil
	}
	var found []string
	for _, n := range h.unverifiedNames() {
		rep, err := m.checkDNS(ctx, n, known(h.Labels)) // the record's tenant, not a record of n
		if err != nil {
			m.log.Debug("certs: ownership check of a further name", "hostname", host, "name", n, "error", err)
			continue
		}
		if rep.OwnershipTXTConfigured {
			found = append(found, n)
		}
	}
	return found
}

// addVerified records names as verified on h and reports whether any was
// new.
func (h *Host) addVerified(names []string) bool {
	added := false
	for _, n := range names {
		if !slices.Contains(h.VerifiedNames, n) {
			h.VerifiedNames = append(h.VerifiedNames, n)
			added = true
		}
	}
	return added
}
