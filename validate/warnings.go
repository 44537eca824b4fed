package validate

import "time"

// Warning codes (Warning.Code). They are stable and machine-readable.
const (
	WarnExpiringSoon    = "expiring_soon"
	WarnWeakKey         = "weak_key"
	WarnSHA1Signature   = "sha1_signature"
	WarnIncompleteChain = "incomplete_chain"
	WarnSelfSigned      = "self_signed"
	WarnRootIncluded    = "root_included"
	WarnTooManySANs     = "too_many_sans"
	// WarnChainReordered and WarnDuplicateDropped are not produced by
	// Certificate; callers relay custom.Bundle notes with these codes.
	WarnChainReordered   = "chain_reordered"
	WarnDuplicateDropped = "duplicate_dropped"
)

// Defaults used for the zero values of Options.
const (
	DefaultExpiringWithin = 30 * 24 * time.Hour
	DefaultMaxSANs        = 100
)

// Has reports whether the report holds a warning with code.
func (r *Report) Has(code string) bool {
	for _, w := range r.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}
