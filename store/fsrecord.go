package store

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// fileRecord is the JSON form of a Record in record.json. It is the only
// type FS encodes to disk: Record itself marshals with its secrets
// redacted.
type fileRecord struct {
	Version   int               `json:"version"`
	Name      string            `json:"name"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
	ExpiresAt time.Time         `json:"expires_at"`
	Data      []byte            `json:"data"`
	Labels    map[string]string `json:"labels,omitempty"`
	Secrets   map[string][]byte `json:"secrets"`
}

// recordVersion is the version of fileRecord that FS writes and reads.
const recordVersion = 1

// encodeRecord returns the content of the record file of rec.
func encodeRecord(rec *Record) ([]byte, error) {
	return json.Marshal(fileRecord{
		Version: recordVersion, Name: rec.Name, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt,
		ExpiresAt: rec.ExpiresAt, Data: rec.Data, Labels: rec.Labels, Secrets: rec.Secrets,
	})
}

// readRecord reads the record file p, which must hold the record called
// name. A missing file is an error wrapping fs.ErrNotExist; a file that
// exists but cannot be read back is a *DamagedError; other errors (such as
// running out of file descriptors) are returned wrapped, as they say
// nothing about the record.
func readRecord(p, name string) (*Record, error) {
	b, err := os.ReadFile(p)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		return nil, err
	case errors.Is(err, syscall.ENOTDIR):
		return nil, &DamagedError{Name: name, Path: filepath.Dir(p), Err: describeOSError(err)}
	case isDamage(err):
		return nil, &DamagedError{Name: name, Path: p, Err: describeOSError(err)}
	default:
		return nil, fmt.Errorf("store: read record %s: %w", name, err)
	}
	rec, err := parseRecord(b, name)
	if err != nil {
		return nil, &DamagedError{Name: name, Path: p, Err: err}
	}
	return rec, nil
}

// parseRecord decodes the content of a record file that must hold the
// record called name. Its errors never quote b.
func parseRecord(b []byte, name string) (*Record, error) {
	if len(b) == 0 {
		return nil, errors.New("the file is empty")
	}
	var fr fileRecord
	if err := json.Unmarshal(b, &fr); err != nil {
		return nil, describeJSONError(err)
	}
	switch {
	case fr.Version != recordVersion:
		return nil, fmt.Errorf("the file holds record format version %d, want %d (written by another version of this program, or not a record)", fr.Version, recordVersion)
	case fr.Name != name:
		return nil, fmt.Errorf("the file holds the record of %q, not of %q (copied or moved from another hostname)", truncate(fr.Name), name)
	}
	return &Record{
		Name: fr.Name, CreatedAt: fr.CreatedAt, UpdatedAt: fr.UpdatedAt, ExpiresAt: fr.ExpiresAt,
		Data: fr.Data, Labels: fr.Labels, Secrets: fr.Secrets,
	}, nil
}

// describeJSONError says what is wrong with a record file that does not
// decode, without quoting its content (which holds secrets): encoding/json
// messages quote bytes of the input ("invalid character 'x'", "number 5").
func describeJSONError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var b64 base64.CorruptInputError
	switch {
	case errors.As(err, &syntax) && syntax.Offset >= 0:
		return fmt.Errorf("not valid JSON (truncated or overwritten; the error is at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("not a record: the JSON value at byte %d (field %q) has the wrong type", typ.Offset, truncate(typ.Field))
	case errors.As(err, &b64):
		return fmt.Errorf("not a record: a data or secret field is not valid base64 (at byte %d of the value)", int64(b64))
	}
	return errors.New("not a record: a field has a value of the wrong form")
}

// isDamage reports whether err, from reading a record file, comes from the
// file itself (it cannot be read as a file, by this user) rather than from
// the system (out of descriptors, I/O errors, interrupted calls), which a
// later attempt may not meet.
func isDamage(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ELOOP)
}

// describeOSError says what isDamage found, keeping the errno in the chain
// (errors.Is(err, fs.ErrPermission) still holds) but not the path, which
// DamagedError already shows.
func describeOSError(err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	switch {
	case errors.Is(err, syscall.EISDIR):
		return fmt.Errorf("a directory is where the record file should be: %w", errno)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("a file is where the record's directory should be: %w", errno)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("this program may not read it: %w", errno)
	}
	return fmt.Errorf("cannot be opened: %w", errno)
}
