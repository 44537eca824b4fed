package custom

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds on what the user reads: data from the upload is cut to
// maxQuoted bytes where it is embedded, and a whole message to
// maxMessage bytes.
const (
	maxQuoted  = 100
	maxMessage = 1024
	maxNotes   = 16
	maxListed  = 3 // names listed in one message
)

// quoteShort quotes s, cut to maxQuoted bytes.
func quoteShort(s string) string { return fmt.Sprintf("%q", truncate(s, maxQuoted)) }

// truncate cuts s to at most n bytes on a rune boundary, marking the cut
// with "...".
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

// shortErr renders an error from another package (encoding/asn1,
// crypto/x509) for embedding: such errors may quote parts of the input.
func shortErr(err error) string { return truncate(err.Error(), maxQuoted) }

// listShort joins at most maxListed quoted names, saying how many more
// there are.
func listShort(names []string) string {
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:maxListed], ", "), len(names)-maxListed)
}

// boundedError is an error whose message was cut to maxMessage bytes; it
// still matches what the original matched (errors.Is, errors.As).
type boundedError struct {
	msg string
	err error
}

func (e *boundedError) Error() string { return e.msg }
func (e *boundedError) Unwrap() error { return e.err }

// bound caps the length of err's message.
func bound(err error) error {
	if err == nil || len(err.Error()) <= maxMessage {
		return err
	}
	return &boundedError{msg: truncate(err.Error(), maxMessage), err: err}
}

// compactNotes merges equal notes (counting them), bounds every message
// and keeps at most maxNotes, the last one saying how many were omitted.
func compactNotes(notes []Note) []Note {
	var out []Note
	count := map[Note]int{}
	for _, n := range notes {
		n.Message = truncate(n.Message, maxMessage)
		if count[n]++; count[n] == 1 {
			out = append(out, n)
		}
	}
	for i, n := range out {
		if c := count[n]; c > 1 {
			out[i].Message = fmt.Sprintf("%s (%d times)", n.Message, c)
		}
	}
	if len(out) > maxNotes {
		omitted := len(out) - (maxNotes - 1)
		out = append(out[:maxNotes-1], Note{Code: NoteOmitted,
			Message: fmt.Sprintf("%d more notes were omitted", omitted)})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
