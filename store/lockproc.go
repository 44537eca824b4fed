package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// process identifies a process beyond its PID, so that a waiter can tell
// that the holder of a lock file is gone without waiting for the lock's
// TTL. Only Linux fills it in (see selfProcess); elsewhere it is zero and
// the TTL rule alone applies.
type process struct {
	// Boot is the kernel's boot ID: PIDs and start times restart with
	// every boot.
	Boot string
	// PIDNS names the PID namespace: the same PID means another process in
	// another namespace (another container with the same hostname).
	PIDNS string
	// Start is when the process started, in clock ticks after boot: a PID
	// reused by a later process has another start time.
	Start uint64
}

// known reports whether p was read completely.
func (p process) known() bool { return p.Boot != "" && p.PIDNS != "" && p.Start != 0 }

// waiter is who waits for a lock: its hostname and process.
type waiter struct {
	host string
	proc process
}

// holderGone reports whether the lock file content names a holder that is
// certainly dead: a process of the waiter's host, boot and PID namespace
// whose PID no longer runs, is a zombie, or now belongs to a process
// started at another time. Anything else (another host, a lock file written
// without the process identity, an unreadable /proc) reports false, and the
// TTL rule decides.
func (w waiter) holderGone(content []byte) bool {
	var info lockInfo
	if json.Unmarshal(content, &info) != nil {
		return false
	}
	holder := process{Boot: info.Boot, PIDNS: info.PIDNS, Start: info.Start}
	if w.host == "" || info.Host != w.host || info.PID <= 0 || !w.proc.known() || !holder.known() ||
		holder.Boot != w.proc.Boot || holder.PIDNS != w.proc.PIDNS {
		return false
	}
	return processGone(info.PID, info.Start)
}

// errProcStat is returned by parseProcStat for content it cannot parse.
var errProcStat = errors.New("store: unrecognised /proc/<pid>/stat")

// parseProcStat returns the state (field 3) and start time (field 22, in
// clock ticks after boot) from the content of /proc/<pid>/stat. The second
// field, the command name in parentheses, may itself hold spaces and
// parentheses, so fields are counted after its last ')'.
func parseProcStat(b []byte) (state byte, start uint64, err error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, errProcStat
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 20 || len(f[0]) != 1 {
		return 0, 0, errProcStat
	}
	start, err = strconv.ParseUint(string(f[19]), 10, 64)
	if err != nil || start == 0 {
		return 0, 0, errProcStat
	}
	return f[0][0], start, nil
}
