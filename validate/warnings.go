package validate

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Warning codes (Warning.Code). They are stable and machine-readable.
const (
	WarnExpiringSoon    = "expiring_soon"
	WarnWeakKey         = "weak_key"
	WarnIncompleteChain = "incomplete_chain"
	WarnSelfSigned      = "self_signed"
	WarnRootIncluded    = "root_included"
	WarnTooManySANs     = "too_many_sans"
	// WarnNoSAN, WarnNoServerAuth and WarnWeakSignature are produced
	// instead of ErrNoSAN, ErrNoServerAuth and ErrWeakSignature when
	// Options.AllowLegacy is set.
	WarnNoSAN         = "no_san"
	WarnNoServerAuth  = "no_server_auth"
	WarnWeakSignature = "weak_signature"
	// WarnOmitted says how many warnings AddWarning dropped past the cap.
	WarnOmitted = "warnings_omitted"
	// Deprecated: SHA-1 signatures are ErrWeakSignature, or with
	// AllowLegacy WarnWeakSignature; this code is no longer produced.
	WarnSHA1Signature = "sha1_signature"
	// WarnChainReordered and WarnDuplicateDropped are not produced by
	// Certificate; callers relay custom.Bundle notes with these codes.
	WarnChainReordered   = "chain_reordered"
	WarnDuplicateDropped = "duplicate_dropped"
)

// Defaults used for the zero values of Options.
const (
	DefaultExpiringWithin = 30 * 24 * time.Hour
	DefaultMaxSANs        = 100
	DefaultMaxChainLength = 10
)

// Bounds on what Certificate reports.
const (
	maxWarnings = 16   // the last one may be WarnOmitted
	maxMessage  = 1024 // bytes of one message
	maxQuoted   = 100  // bytes of a name quoted in a message
	maxListed   = 10   // names listed in one message
)

// AddWarning appends a warning unless an equal one is already there. The
// message is cut to 1 KiB, and past 16 warnings the last one becomes a
// WarnOmitted warning counting the others. Callers relaying
// custom.Bundle notes should add them with it.
func (r *Report) AddWarning(code, message string) {
	w := Warning{Code: code, Message: truncate(message, maxMessage)}
	for _, have := range r.Warnings {
		if have == w {
			return
		}
	}
	switch {
	case len(r.Warnings) < maxWarnings:
		r.Warnings = append(r.Warnings, w)
		return
	case r.omitted == 0:
		r.omitted = 2 // the 16th warning, which the count replaces, and this one
	default:
		r.omitted++
	}
	r.Warnings[maxWarnings-1] = Warning{Code: WarnOmitted, Message: fmt.Sprintf("%d more warnings were omitted", r.omitted)}
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// quoteShort quotes s, cut to maxQuoted bytes: names in certificates are
// chosen by whoever made them.
func quoteShort(s string) string { return fmt.Sprintf("%q", truncate(s, maxQuoted)) }

// Has reports whether the report holds a warning with code.
func (r *Report) Has(code string) bool {
	for _, w := range r.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}
