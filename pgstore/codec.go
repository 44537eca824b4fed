package pgstore

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/certs-dev/certs/store"
)

// secretsFormat is the first byte of the secrets column: the version of
// the format below. A row with another first byte was written by a newer
// program (or damaged) and is reported as damaged.
//
// After it: the number of secrets, then for each, in name order, the
// name's length, the name, the value's length and the value; every number
// an unsigned varint. Nothing may follow the last value. The encoding of a
// set of secrets is unique: a column that decodes encodes back to itself.
const secretsFormat = 1

// encodeSecrets encodes a record's secrets for the secrets column.
func encodeSecrets(secrets map[string][]byte) []byte {
	names := make([]string, 0, len(secrets))
	size := 1 + binary.MaxVarintLen64
	for k, v := range secrets {
		names = append(names, k)
		size += 2*binary.MaxVarintLen64 + len(k) + len(v)
	}
	slices.Sort(names)
	b := make([]byte, 0, size)
	b = append(b, secretsFormat)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, k := range names {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(secrets[k])))
		b = append(b, secrets[k]...)
	}
	return b
}

// errTruncated says the secrets column ends early; the messages never
// quote the stored bytes.
var errTruncated = errors.New("its secrets column is truncated")

// decodeSecrets decodes the secrets column; nil for a record without
// secrets.
func decodeSecrets(b []byte) (map[string][]byte, error) {
	if len(b) == 0 {
		return nil, errTruncated
	}
	if b[0] != secretsFormat {
		return nil, fmt.Errorf("its secrets column is in format %d, which this program does not read (it knows format %d): was it written by a newer version?", b[0], secretsFormat)
	}
	b = b[1:]
	n, b, err := uvarint(b)
	if err != nil {
		return nil, err
	}
	if n > uint64(len(b)) {
		return nil, errTruncated
	}
	var secrets map[string][]byte
	if n > 0 {
		secrets = make(map[string][]byte, n)
	}
	prev := ""
	for i := range n {
		var k, v []byte
		if k, b, err = chunk(b); err != nil {
			return nil, err
		}
		if i > 0 && string(k) <= prev {
			return nil, errors.New("its secrets column lists secret names out of order")
		}
		if v, b, err = chunk(b); err != nil {
			return nil, err
		}
		prev = string(k)
		secrets[prev] = v
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("its secrets column has %d bytes too many", len(b))
	}
	return secrets, nil
}

// uvarint reads a length, in its shortest encoding only.
func uvarint(b []byte) (uint64, []byte, error) {
	n, size := binary.Uvarint(b)
	if size <= 0 {
		return 0, nil, errTruncated
	}
	if size != len(binary.AppendUvarint(nil, n)) {
		return 0, nil, errors.New("its secrets column holds a malformed length")
	}
	return n, b[size:], nil
}

// chunk reads a length and that many bytes (a copy: the caller's buffer
// may be reused).
func chunk(b []byte) (out, rest []byte, err error) {
	n, b, err := uvarint(b)
	if err != nil {
		return nil, nil, err
	}
	if n > uint64(len(b)) {
		return nil, nil, errTruncated
	}
	return append([]byte{}, b[:n]...), b[n:], nil
}

// pgTime is a time as stored: a timestamptz with microseconds and the
// nanoseconds within the microsecond.
type pgTime struct {
	ts   pgtype.Timestamptz
	nsec int16
}

// splitTime converts t to a pgTime. With zeroIsInfinity (the expiry), the
// zero time becomes 'infinity', which sorts after every time.
func splitTime(t time.Time, zeroIsInfinity bool) pgTime {
	if t.IsZero() && zeroIsInfinity {
		return pgTime{ts: pgtype.Timestamptz{InfinityModifier: pgtype.Infinity, Valid: true}}
	}
	micro := t.Truncate(time.Microsecond) // toward the past, also before 1970
	return pgTime{ts: pgtype.Timestamptz{Time: micro, Valid: true}, nsec: int16(t.Sub(micro))}
}

// time converts a stored time back; 'infinity' is the zero time.
func (p pgTime) time() time.Time {
	if p.ts.InfinityModifier != pgtype.Finite || !p.ts.Valid {
		return time.Time{}
	}
	return p.ts.Time.Add(time.Duration(p.nsec)).UTC()
}

// columns lists a record row's columns, in row's order.
const columns = "name, created_at, created_nsec, updated_at, updated_nsec, expires_at, expires_nsec, data, labels, secrets, version"

// row is a record as stored.
type row struct {
	name                      string
	created, updated, expires pgTime
	data, labels, secrets     []byte // labels: a JSON object, nil for none
	version                   int64
}

// dest returns the scan destinations of columns.
func (r *row) dest() []any {
	return []any{&r.name, &r.created.ts, &r.created.nsec, &r.updated.ts, &r.updated.nsec,
		&r.expires.ts, &r.expires.nsec, &r.data, &r.labels, &r.secrets, &r.version}
}

// checkLabels refuses labels that PostgreSQL's jsonb cannot hold as
// given: invalid UTF-8 (JSON would replace it) and NUL characters.
func checkLabels(rec *store.Record) error {
	for k, v := range rec.Labels {
		for _, s := range []string{k, v} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				return fmt.Errorf("pgstore: record %s: label %q: labels must be valid UTF-8 without NUL characters", rec.Name, truncate(k))
			}
		}
	}
	return nil
}

// newRow converts a record to its row (without a version).
func newRow(rec *store.Record) *row {
	data := rec.Data
	if data == nil {
		data = []byte{} // the column is NOT NULL
	}
	var labels []byte
	if rec.Labels != nil {
		labels, _ = json.Marshal(rec.Labels) // cannot fail: strings
	}
	return &row{
		name:    rec.Name,
		labels:  labels,
		created: splitTime(rec.CreatedAt, false),
		updated: splitTime(rec.UpdatedAt, false),
		expires: splitTime(rec.ExpiresAt, true),
		data:    data,
		secrets: encodeSecrets(rec.Secrets),
	}
}

// args returns the row's values for $1..$10 of the write queries.
func (r *row) args() []any {
	return []any{r.name, r.created.ts, r.created.nsec, r.updated.ts, r.updated.nsec,
		r.expires.ts, r.expires.nsec, r.data, r.labels, r.secrets}
}

// record decodes the row; the error is a *store.DamagedError.
func (r *row) record(schema string) (*store.Record, error) {
	secrets, err := decodeSecrets(r.secrets)
	var labels map[string]string
	if err == nil && r.labels != nil {
		if json.Unmarshal(r.labels, &labels) != nil {
			err = errors.New("its labels column is not a JSON object of strings")
		}
	}
	if err != nil {
		return nil, &store.DamagedError{Name: r.name, Err: fmt.Errorf("row %s in table %s.records: %w", r.name, schema, err)}
	}
	return &store.Record{
		Labels:    labels,
		Name:      r.name,
		CreatedAt: r.created.time(),
		UpdatedAt: r.updated.time(),
		ExpiresAt: r.expires.time(),
		Data:      r.data,
		Secrets:   secrets,
	}, nil
}
