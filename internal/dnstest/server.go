// Package dnstest runs a real authoritative DNS server on loopback for
// tests: in-memory zones that can change at run time, delegations to child
// zones (referrals), RFC 2136 dynamic updates signed with TSIG, and
// injected faults (SERVFAIL, timeouts, truncated UDP answers). It can
// answer CNAME loops the way BIND does (Options.ServFailLoops).
//
// It is a leaf package: it imports nothing else of this module. Each
// Server has its own dns.ServeMux; nothing is registered on miekg/dns's
// global mux.
package dnstest

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// The TSIG key that Start configures. Tests of RFC 2136 clients sign their
// updates with it.
const (
	DefaultTSIGKeyName = "certs-test-key."
	// DefaultTSIGSecret is base64 of 32 bytes, for hmac-sha256.
	DefaultTSIGSecret = "Y2VydHMtZGV2IHRlc3QgVFNJRyBzZWNyZXQgMzIgYnl0ZXM="
)

// Options configure StartOptions.
type Options struct {
	// TSIG maps key names (FQDN, with trailing dot) to base64 secrets.
	// UPDATE messages must be signed with one of them; unsigned ones are
	// REFUSED and ones with a bad signature get NOTAUTH with a TSIG error.
	TSIG map[string]string
	// IP is the loopback address to listen on; empty means 127.0.0.1.
	// A second server on 127.0.0.2 and the same Port serves a child zone
	// whose NS glue points there (Linux routes all of 127.0.0.0/8 to lo).
	IP string
	// Port to listen on (UDP and TCP); empty means a free one.
	Port string
	// ServFailLoops answers a query whose CNAME chain loops with SERVFAIL
	// and the chain so far, as BIND 9 does; by default the answer is
	// NOERROR with the chain.
	ServFailLoops bool
}

// Stats counts what a Server received.
type Stats struct {
	UDP, TCP, Updates int64
}

// Server is an authoritative DNS server on 127.0.0.1, UDP and TCP on the
// same port. Its methods are safe for concurrent use.
type Server struct {
	tb     testing.TB
	addr   string
	zones  *zoneStore
	faults faults
	udp    atomic.Int64
	tcp    atomic.Int64
	upd    atomic.Int64

	servFailLoops bool
}

// Start serves zones with the default TSIG key and shuts down in
// tb.Cleanup.
func Start(tb testing.TB, zones ...Zone) *Server {
	tb.Helper()
	return StartOptions(tb, Options{TSIG: map[string]string{DefaultTSIGKeyName: DefaultTSIGSecret}}, zones...)
}

// StartOptions is Start with options.
func StartOptions(tb testing.TB, opts Options, zones ...Zone) *Server {
	tb.Helper()
	s := &Server{tb: tb, zones: newZoneStore(), servFailLoops: opts.ServFailLoops}
	for _, z := range zones {
		s.AddZone(z)
	}
	ip := opts.IP
	if ip == "" {
		ip = "127.0.0.1"
	}
	pc, ln := listenSamePort(tb, ip, opts.Port)
	s.addr = pc.LocalAddr().String()
	mux := dns.NewServeMux()
	mux.HandleFunc(".", s.serveDNS)
	udp := &dns.Server{PacketConn: pc, Handler: mux, TsigSecret: opts.TSIG, MsgAcceptFunc: accept}
	tcp := &dns.Server{Listener: ln, Handler: mux, TsigSecret: opts.TSIG, MsgAcceptFunc: accept,
		ReadTimeout: 5 * time.Second}
	for _, srv := range []*dns.Server{udp, tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = udp.ShutdownContext(ctx)
		_ = tcp.ShutdownContext(ctx)
	})
	return s
}

// listenSamePort opens UDP and TCP sockets on port of ip, or on one free
// port when port is empty.
func listenSamePort(tb testing.TB, ip, port string) (net.PacketConn, net.Listener) {
	tb.Helper()
	attempts := 20
	if port != "" {
		attempts = 1
	} else {
		port = "0"
	}
	var lastErr error
	for range attempts {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, port))
		if err != nil {
			tb.Fatalf("dnstest: listen udp on %s port %s: %v", ip, port, err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			// A large receive buffer keeps bursts of concurrent queries
			// (benchmarks) from being dropped by the kernel.
			_ = pc.(*net.UDPConn).SetReadBuffer(4 << 20)
			return pc, ln
		}
		lastErr = err
		_ = pc.Close()
	}
	tb.Fatalf("dnstest: no port on %s free for both UDP and TCP: %v", ip, lastErr)
	return nil, nil
}

// accept admits queries, NOTIFY and UPDATE with one question.
func accept(dh dns.Header) dns.MsgAcceptAction {
	const qr = 1 << 15
	if dh.Bits&qr != 0 {
		return dns.MsgIgnore
	}
	switch op := int(dh.Bits>>11) & 0xF; op {
	case dns.OpcodeQuery, dns.OpcodeNotify, dns.OpcodeUpdate:
	default:
		return dns.MsgRejectNotImplemented
	}
	if dh.Qdcount != 1 {
		return dns.MsgReject
	}
	return dns.MsgAccept
}

// Addr is the server's "ip:port", for UDP and TCP alike.
func (s *Server) Addr() string { return s.addr }

// Port is the server's port.
func (s *Server) Port() string {
	_, port, _ := net.SplitHostPort(s.addr)
	return port
}

// Stats returns the number of UDP and TCP messages and updates received.
func (s *Server) Stats() Stats {
	return Stats{UDP: s.udp.Load(), TCP: s.tcp.Load(), Updates: s.upd.Load()}
}

// SetFault injects f for every query of name (any type); NoFault clears it.
func (s *Server) SetFault(name string, f Fault) { s.faults.set(name, f) }

// AddZone starts serving z. It fails the test on a bad record.
func (s *Server) AddZone(z Zone) {
	s.tb.Helper()
	if err := s.zones.addZone(z); err != nil {
		s.tb.Fatal(err)
	}
}

// Add adds zone-file records given with fully qualified names ("www.example.com.
// 300 IN A 192.0.2.1"). Their zones must be served. It fails the test on a
// bad record, so call it from the test goroutine; AddRR does not.
func (s *Server) Add(records ...string) {
	s.tb.Helper()
	rrs, err := parseRecords(".", records...)
	if err == nil {
		err = s.zones.add(rrs...)
	}
	if err != nil {
		s.tb.Fatal(err)
	}
}

// AddRR adds records; it returns an error for a record outside the served zones.
func (s *Server) AddRR(rrs ...dns.RR) error { return s.zones.add(rrs...) }

// RemoveRR removes records equal to rrs (TTL and class ignored).
func (s *Server) RemoveRR(rrs ...dns.RR) { s.zones.removeRR(rrs...) }

// Remove removes every record of type qtype at name (all with dns.TypeANY).
func (s *Server) Remove(name string, qtype uint16) { s.zones.removeType(name, qtype) }

// Records returns copies of the records of type qtype at name (all with dns.TypeANY).
func (s *Server) Records(name string, qtype uint16) []dns.RR { return s.zones.records(name, qtype) }
