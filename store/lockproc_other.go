//go:build !linux

package store

// selfProcess returns a zero process: outside Linux a lock's holder is only
// known dead once its lock file is older than the TTL.
func selfProcess() process { return process{} }

// processGone reports false: without /proc, a reused PID cannot be told
// from the holder.
func processGone(int, uint64) bool { return false }
