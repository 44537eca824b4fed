package main

import (
	"io"
	"log"
)

// newDiscardLogger silences net/http's server log (handshake errors from
// the deliberately refused demo request).
func newDiscardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
