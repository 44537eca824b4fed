package dnstest

import "sync"

// Fault is a misbehaviour injected for queries of one name.
type Fault int

// The injectable faults.
const (
	// NoFault answers normally.
	NoFault Fault = iota
	// ServFail answers SERVFAIL.
	ServFail
	// Timeout never answers, over UDP or TCP.
	Timeout
	// Truncate answers over UDP with the TC bit set and only the first
	// answer record, so that the client must retry over TCP; TCP answers
	// are complete.
	Truncate
)

// String names the fault.
func (f Fault) String() string {
	switch f {
	case ServFail:
		return "servfail"
	case Timeout:
		return "timeout"
	case Truncate:
		return "truncate"
	}
	return "none"
}

// faults maps query names to injected faults. It is safe for concurrent use.
type faults struct {
	mu     sync.RWMutex
	byName map[string]Fault
}

func (f *faults) set(name string, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byName == nil {
		f.byName = map[string]Fault{}
	}
	if fault == NoFault {
		delete(f.byName, canonical(name))
		return
	}
	f.byName[canonical(name)] = fault
}

func (f *faults) get(name string) Fault {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.byName[canonical(name)]
}
