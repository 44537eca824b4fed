package certs

import "context"

// claimNames checks that hostname may serve names (its own first): no
// further name may be held by another hostname. It returns a
// *NameConflictError for the first one that is.
func (m *Manager) claimNames(ctx context.Context, hostname string, names []string) error {
	return nil // TODO(lead): implemented with the serving index
}
