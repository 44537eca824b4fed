// Package redact formats structs that hold secrets without the secrets.
package redact

import (
	"fmt"
	"strings"
)

// Field is one field of a struct to describe. Secret fields show only
// whether they are set.
type Field struct {
	Name   string
	Value  string
	Secret bool
}

// String describes a struct: "Type{A: "x", Secret: <redacted>}". An empty
// secret shows as <empty> so that a missing credential is visible.
func String(typ string, fields ...Field) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		switch {
		case f.Secret && f.Value == "":
			parts[i] = f.Name + ": <empty>"
		case f.Secret:
			parts[i] = f.Name + ": <redacted>"
		default:
			parts[i] = fmt.Sprintf("%s: %q", f.Name, f.Value)
		}
	}
	return typ + "{" + strings.Join(parts, ", ") + "}"
}

// Format writes s for every verb, so that no fmt verb (%v, %+v, %#v, %s,
// %x, %d, ...) can reach the struct's fields.
func Format(f fmt.State, s string) {
	_, _ = f.Write([]byte(s))
}

// JSON is s as a JSON string.
func JSON(s string) []byte {
	return []byte(fmt.Sprintf("%q", s))
}
