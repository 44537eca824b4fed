// Package storetest is the conformance suite for store.Store backends.
//
// Every backend runs it from its tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return NewMyStore(t.TempDir()) })
//	}
//
// The suite checks the contract documented on store.Store: not-found and
// invalid-name errors, round trips of every field, overwrite and delete,
// List filtering, ordering and paging, blobs, copying semantics, context
// cancellation and concurrent use (run it with -race). Stores that are also
// a store.Locker get mutual-exclusion checks. Backends whose storage can be
// damaged outside the store (files, rows) pass a way to damage a record in
// Options.Damage, and the suite checks that damaged records are reported
// (store.ErrDamaged) without hiding the others.
package storetest

import (
	"testing"

	"github.com/certs-dev/certs/store"
)

// Run runs the conformance suite against the stores newStore returns. It
// calls newStore once per subtest and expects an empty store each time.
// It is RunWith with no Options.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	RunWith(t, newStore, Options{})
}

// Options adds optional checks to RunWith.
type Options struct {
	// Damage, if set, damages the record called name, which s holds, the
	// way the backend's storage can be damaged from outside (for FS, junk
	// in its record file), so that Get can no longer read it back. The
	// suite then checks that Get returns a store.DamagedError for it, that
	// List skips it and reports it in ListResult.Damaged in every order
	// while listing the others, and that Delete removes it. Nil skips those
	// checks: a backend that cannot hold damaged records reports none.
	Damage func(t *testing.T, s store.Store, name string)
}

// RunWith runs the conformance suite like Run, with the optional checks
// opts enables.
func RunWith(t *testing.T, newStore func(t *testing.T) store.Store, opts Options) {
	t.Helper()
	groups := []struct {
		name string
		run  func(t *testing.T, newStore func(t *testing.T) store.Store)
	}{
		{"Records", testRecords},
		{"InvalidNames", testInvalidNames},
		{"List", testList},
		{"Blobs", testBlobs},
		{"Copies", testCopies},
		{"CancelledContext", testCancelled},
		{"Concurrent", testConcurrent},
		{"Locker", testLocker},
		{"Damaged", func(t *testing.T, newStore func(t *testing.T) store.Store) { testDamaged(t, newStore, opts.Damage) }},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, newStore) })
	}
}
