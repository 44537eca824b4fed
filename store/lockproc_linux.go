package store

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
)

// selfProcess returns the identity of this process, or a zero process if
// /proc cannot tell it.
func selfProcess() process {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return process{}
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return process{}
	}
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return process{}
	}
	_, start, err := parseProcStat(stat)
	if err != nil {
		return process{}
	}
	return process{Boot: string(bytes.TrimSpace(boot)), PIDNS: ns, Start: start}
}

// processGone reports whether the process pid that started at start (in
// the caller's boot and PID namespace) has ended: no process has that PID
// (kill(pid, 0) fails with ESRCH), it is a zombie (killed but not yet
// reaped by its parent: it holds nothing), or the PID now belongs to a
// process started at another time. When in doubt, it reports false.
func processGone(pid int, start uint64) bool {
	err := syscall.Kill(pid, 0)
	if errors.Is(err, syscall.ESRCH) {
		return true
	}
	if err != nil && !errors.Is(err, syscall.EPERM) { // EPERM: alive, another user's
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	state, started, err := parseProcStat(b)
	if err != nil {
		return false
	}
	return started != start || state == 'Z' || state == 'X'
}
