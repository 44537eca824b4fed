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
// a store.Locker get mutual-exclusion checks.
package storetest

import (
	"testing"

	"github.com/certs-dev/certs/store"
)

// Run runs the conformance suite against the stores newStore returns. It
// calls newStore once per subtest and expects an empty store each time.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
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
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.run(t, newStore) })
	}
}
