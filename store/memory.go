package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
)

// Memory is a Store that keeps records and blobs in memory, for tests and
// ephemeral use. Nothing survives the process.
//
// Memory copies every record and blob on the way in and on the way out, so
// callers never share memory with it. It is also a Locker whose locks
// coordinate the goroutines of one process (they do not span processes).
//
// A Memory is safe for concurrent use by multiple goroutines. The zero value
// is not usable; call NewMemory.
//
// Printing a Memory (String, every fmt verb, LogValue, JSON) shows only how
// many records and blobs it holds, never their contents.
type Memory struct {
	// Behind a pointer, so that even the fmt paths no method intercepts
	// (%p of a Memory value, a Memory in an unexported field) print an
	// address, not the secrets.
	*memoryState
}

// memoryState is what a Memory holds. Records and blobs are held by
// pointer too: when fmt dumps a memoryState raw, it prints their addresses.
type memoryState struct {
	mu      sync.RWMutex
	records map[string]*Record
	blobs   map[string]*[]byte
	locks   localLocks
	// versions of the records (see Versioned); last is the newest given.
	versions map[string]int64
	last     int64
}

var (
	_ Store     = (*Memory)(nil)
	_ Locker    = (*Memory)(nil)
	_ Versioned = (*Memory)(nil)
)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory {
	return &Memory{&memoryState{records: map[string]*Record{}, blobs: map[string]*[]byte{}}}
}

// String says how many records and blobs m holds.
func (m Memory) String() string {
	if m.memoryState == nil {
		return "store.Memory{<not made by NewMemory>}"
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return "store.Memory{records: " + itoa(len(m.records)) + ", blobs: " + itoa(len(m.blobs)) + "}"
}

// GoString is like String.
func (m Memory) GoString() string { return m.String() }

// Format prints String for every verb, so that no verb prints the stored
// secrets.
func (m Memory) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(m.String())) }

// LogValue logs String.
func (m Memory) LogValue() slog.Value { return slog.StringValue(m.String()) }

// MarshalJSON encodes String as a JSON string.
func (m Memory) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

// Get returns a copy of the record stored under name, or an error wrapping
// ErrNotFound.
func (m *Memory) Get(ctx context.Context, name string) (*Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := CheckName(name); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec, ok := m.records[name]
	if !ok {
		return nil, fmt.Errorf("%w: record %s", ErrNotFound, name)
	}
	return rec.Clone(), nil
}

// Put stores a copy of rec under rec.Name, replacing any previous record.
// Timestamps are stored as given.
func (m *Memory) Put(ctx context.Context, rec *Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkRecord(rec); err != nil {
		return err
	}
	c := rec.Clone()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.store(c)
	return nil
}

// store keeps c with a new version; m.mu is held.
func (m *Memory) store(c *Record) int64 {
	if m.versions == nil {
		m.versions = map[string]int64{}
	}
	m.last++
	m.records[c.Name] = c
	m.versions[c.Name] = m.last
	return m.last
}

// Delete removes the record stored under name. Deleting a missing record
// returns nil.
func (m *Memory) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckName(name); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.records, name)
	delete(m.versions, name)
	return nil
}

// List returns copies of one page of the records selected by opts.
func (m *Memory) List(ctx context.Context, opts ListOptions) (*ListResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	matching := make([]entry, 0, len(m.records))
	for name, rec := range m.records {
		if matchFilter(name, opts) && matchLabels(rec, opts) {
			matching = append(matching, entry{rec: rec})
		}
	}
	res, err := paginate(matching, opts)
	if err != nil {
		return nil, err
	}
	for i, rec := range res.Records {
		res.Records[i] = rec.Clone()
	}
	return res, nil
}

// GetBlob returns a copy of the blob stored under key, or an error wrapping
// ErrNotFound.
func (m *Memory) GetBlob(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	b, ok := m.blobs[key]
	if !ok {
		return nil, fmt.Errorf("%w: blob %s", ErrNotFound, key)
	}
	return append([]byte{}, *b...), nil
}

// PutBlob stores a copy of data under key, replacing any previous blob.
func (m *Memory) PutBlob(ctx context.Context, key string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckKey(key); err != nil {
		return err
	}
	c := append([]byte{}, data...)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.blobs[key] = &c
	return nil
}

// DeleteBlob removes the blob stored under key. Deleting a missing blob
// returns nil.
func (m *Memory) DeleteBlob(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.blobs, key)
	return nil
}

// Lock acquires the in-process lock called name (a record name or a blob
// key), blocking until it is free or ctx is done, in which case it returns
// ctx.Err(). The returned unlock function may be called more than once.
func (m *Memory) Lock(ctx context.Context, name string) (unlock func(), err error) {
	if err := checkLockName(name); err != nil {
		return nil, err
	}
	return m.locks.lock(ctx, name)
}

// checkRecord validates a record passed to Put.
func checkRecord(rec *Record) error {
	if rec == nil {
		return fmt.Errorf("store: Put of a nil record")
	}
	return CheckName(rec.Name)
}

// checkLockName accepts a record name or a blob key as a lock name.
func checkLockName(name string) error {
	if checkName(name) == nil || checkKey(name) == "" {
		return nil
	}
	return fmt.Errorf("%w: lock name %q: use a record name or a blob key", ErrInvalidName, truncate(name))
}

// GetVersion returns a copy of the record stored under name and its
// version.
func (m *Memory) GetVersion(ctx context.Context, name string) (*Record, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if err := CheckName(name); err != nil {
		return nil, 0, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec, ok := m.records[name]
	if !ok {
		return nil, 0, fmt.Errorf("%w: record %s", ErrNotFound, name)
	}
	return rec.Clone(), m.versions[name], nil
}

// PutIf stores a copy of rec if the stored version of rec.Name is version
// (0: if there is none), and returns the new version.
func (m *Memory) PutIf(ctx context.Context, rec *Record, version int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := checkRecord(rec); err != nil {
		return 0, err
	}
	c := rec.Clone()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.versions[c.Name] != version {
		return 0, fmt.Errorf("%w: record %s (expected version %d, found %d)", ErrConflict, c.Name, version, m.versions[c.Name])
	}
	return m.store(c), nil
}

// DeleteIf deletes the record called name if its stored version is
// version.
func (m *Memory) DeleteIf(ctx context.Context, name string, version int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if version <= 0 || m.versions[name] != version {
		return fmt.Errorf("%w: record %s (expected version %d, found %d)", ErrConflict, name, version, m.versions[name])
	}
	delete(m.records, name)
	delete(m.versions, name)
	return nil
}
