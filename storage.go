package certs

import "github.com/certs-dev/certs/store"

// Store persists hostname records, ACME accounts and challenge tokens. It is
// the contract defined in package store; see store.Store for the rules every
// implementation follows and store/storetest for the conformance suite.
type Store = store.Store

// Locker is the optional ability of a Store to coordinate several
// processes; see store.Locker.
type Locker = store.Locker

// ErrNotFound is returned when a hostname or stored item does not exist.
var ErrNotFound = store.ErrNotFound
