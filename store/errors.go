package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
)

// ErrNotFound is returned by Get and GetBlob when no record or blob exists
// under the given name or key.
var ErrNotFound = errors.New("store: not found")

// ErrInvalidName is returned when a record name or blob key cannot be stored
// safely (empty, too long, path traversal, characters outside the allowed set).
var ErrInvalidName = errors.New("store: invalid name")

// ErrInvalidCursor is returned by List when ListOptions.Cursor was not
// produced by a previous List with the same Sort and Desc.
var ErrInvalidCursor = errors.New("store: invalid list cursor; pass the NextCursor of a previous List with the same Sort and Desc, or an empty cursor to start over")

// ErrDamaged is wrapped by the error for a stored record that exists but
// cannot be read back: its file is truncated, empty, not a record, of an
// unknown version, holds another record's name, is unreadable, or is a
// directory. Get returns it for that record; List skips such records and
// reports them in ListResult.Damaged, so one damaged record never hides the
// others. errors.As gives the *DamagedError.
//
// A record that cannot be decrypted with the configured keys is not
// damaged: that is ErrDecrypt, a configuration error.
var ErrDamaged = errors.New("store: damaged record")

// DamagedError reports a stored record that cannot be read back. It matches
// ErrDamaged and, through Err, the underlying cause (for example
// fs.ErrPermission). Its message never holds stored bytes, so it is safe to
// log: it names the record, where it is stored, what is wrong and what to
// do.
type DamagedError struct {
	// Name is the record name (a hostname).
	Name string
	// Path is the file or directory that is damaged, for stores that keep
	// records in files (FS); empty otherwise.
	Path string
	// Err says what is wrong, without quoting the stored bytes.
	Err error
}

// Error implements the error interface.
func (e *DamagedError) Error() string {
	where := ""
	if e.Path != "" {
		where = " (" + e.Path + ")"
	}
	fix := "restore it from a backup, or delete the hostname (store Delete) to drop its record"
	if errors.Is(e.Err, fs.ErrPermission) {
		fix = "let the user running this program read it (the store keeps directories 0700 and files 0600), or restore it from a backup"
	}
	cause := "unreadable"
	if e.Err != nil {
		cause = e.Err.Error()
	}
	return fmt.Sprintf("store: record %s is damaged%s: %s; %s", e.Name, where, cause, fix)
}

// Unwrap returns ErrDamaged and the cause.
func (e *DamagedError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrDamaged}
	}
	return []error{ErrDamaged, e.Err}
}

// Format prints Error for every verb, so that no verb prints the fields of
// a cause a backend supplied.
func (e *DamagedError) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(e.Error())) }

// LogValue logs the message.
func (e *DamagedError) LogValue() slog.Value { return slog.StringValue(e.Error()) }

// MarshalJSON encodes the name, the path and the message.
func (e *DamagedError) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name  string `json:"name"`
		Path  string `json:"path,omitempty"`
		Error string `json:"error"`
	}{e.Name, e.Path, e.Error()})
}

// ErrDecrypt is wrapped by the error returned when a sealed value cannot be
// opened; errors.As gives the *DecryptError.
var ErrDecrypt = errors.New("store: cannot decrypt")

// DecryptError reports a sealed secret or blob that cannot be opened: its
// key is not configured, or it fails authentication (it was altered, moved
// to another name, or sealed with a different key of the same ID).
type DecryptError struct {
	// KeyID is the ID of the key the value was sealed with, if readable.
	KeyID string
	// Name says which value: "record <name> secret <secret name>" or
	// "blob <key>".
	Name string
	// Reason says what went wrong.
	Reason string
}

// Error implements the error interface.
func (e *DecryptError) Error() string {
	return fmt.Sprintf("store: cannot decrypt %s sealed with key %q: %s", e.Name, truncate(e.KeyID), e.Reason)
}

// Unwrap returns ErrDecrypt.
func (e *DecryptError) Unwrap() error { return ErrDecrypt }

// ErrInvalidKey is wrapped by the errors NewEncrypted, GenerateKey and
// ParseKey return for an unusable key; errors.As gives the *KeyError.
var ErrInvalidKey = errors.New("store: invalid encryption key")

// KeyError describes an unusable Key.
type KeyError struct {
	// ID is the offending key's ID (possibly empty or invalid).
	ID string
	// Reason says what to fix.
	Reason string
}

// Error implements the error interface.
func (e *KeyError) Error() string {
	return fmt.Sprintf("store: invalid encryption key %q: %s", truncate(e.ID), e.Reason)
}

// Unwrap returns ErrInvalidKey.
func (e *KeyError) Unwrap() error { return ErrInvalidKey }
