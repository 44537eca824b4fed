package store

import (
	"fmt"
	"strings"
)

// Limits on record names and blob keys.
const (
	// MaxNameLen is the longest record name accepted (the DNS limit).
	MaxNameLen = 253
	// maxLabelLen is the longest DNS label accepted.
	maxLabelLen = 63
	// MaxKeyLen is the longest blob key accepted.
	MaxKeyLen = 1024
	// maxSegmentLen is the longest segment of a blob key accepted (a file
	// name on common filesystems).
	maxSegmentLen = 200
)

// CheckName reports whether name is a record name every Store accepts: a
// normalized hostname of at most 253 bytes made of dot-separated labels of
// 1 to 63 bytes from [a-z0-9_-], where a label neither starts nor ends with
// '-', optionally preceded by the wildcard label "*." (as in "*.example.com").
// The error wraps ErrInvalidName.
func CheckName(name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("%w %q: %s", ErrInvalidName, truncate(name), err.msg)
	}
	return nil
}

// nameError is a reason without allocation of a wrapped error, so that
// checkName is cheap on the hot path.
type nameError struct{ msg string }

func checkName(name string) *nameError {
	switch {
	case name == "":
		return &nameError{"the name is empty; use a hostname such as example.com"}
	case len(name) > MaxNameLen:
		return &nameError{"the name is longer than 253 bytes"}
	}
	rest := name
	if strings.HasPrefix(rest, "*.") {
		rest = rest[2:]
	}
	if rest == "" {
		return &nameError{"a wildcard needs a domain after \"*.\""}
	}
	for rest != "" {
		label := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			label, rest = rest[:i], rest[i+1:]
			if rest == "" {
				return &nameError{"the name ends with a dot; remove the trailing dot"}
			}
		} else {
			rest = ""
		}
		if e := checkLabel(label); e != nil {
			return e
		}
	}
	return nil
}

func checkLabel(label string) *nameError {
	switch {
	case label == "":
		return &nameError{"the name has an empty label (\"..\" or a leading dot)"}
	case len(label) > maxLabelLen:
		return &nameError{"a label is longer than 63 bytes"}
	case label[0] == '-' || label[len(label)-1] == '-':
		return &nameError{"a label starts or ends with '-'"}
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return &nameError{"only lowercase letters, digits, '-', '_' and a leading \"*.\" are allowed; lowercase the name and convert IDNs to punycode"}
		}
	}
	return nil
}

// CheckKey reports whether key is a blob key every Store accepts: at most
// 1024 bytes of slash-separated segments of 1 to 200 bytes from
// [A-Za-z0-9._-], none of them "." or "..". The error wraps ErrInvalidName.
func CheckKey(key string) error {
	if msg := checkKey(key); msg != "" {
		return fmt.Errorf("%w: blob key %q: %s", ErrInvalidName, truncate(key), msg)
	}
	return nil
}

func checkKey(key string) string {
	switch {
	case key == "":
		return "the key is empty"
	case len(key) > MaxKeyLen:
		return "the key is longer than 1024 bytes"
	}
	for _, seg := range strings.Split(key, "/") {
		switch {
		case seg == "":
			return "the key has an empty segment (leading, trailing or double '/')"
		case seg == "." || seg == "..":
			return "\".\" and \"..\" segments are not allowed"
		case len(seg) > maxSegmentLen:
			return "a segment is longer than 200 bytes"
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c != '.' {
				return "only letters, digits, '.', '-', '_' and '/' separators are allowed"
			}
		}
	}
	return ""
}

// truncate shortens hostile input before it goes into an error message.
func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
