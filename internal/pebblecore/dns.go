package pebblecore

import (
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"

	"github.com/letsencrypt/challtestsrv"
	"github.com/miekg/dns"
)

// sharedDNS is the one challtestsrv of the test binary. challtestsrv
// registers its handler on miekg/dns's global ServeMux, so a second instance
// would replace the first one's handler: every Pebble shares this one.
var sharedDNS struct {
	once sync.Once
	srv  *challtestsrv.ChallSrv
	addr string
	err  error
	// txtMu serializes read-modify-write updates of TXT records.
	txtMu sync.Mutex
}

// dnsServer starts the shared DNS server on first use and returns it with
// its "127.0.0.1:port" address (the same port over UDP and TCP).
func dnsServer() (*challtestsrv.ChallSrv, string, error) {
	sharedDNS.once.Do(func() {
		sharedDNS.srv, sharedDNS.addr, sharedDNS.err = startDNS()
	})
	return sharedDNS.srv, sharedDNS.addr, sharedDNS.err
}

func startDNS() (*challtestsrv.ChallSrv, string, error) {
	// New registers the handler on dns.DefaultServeMux; its own listeners
	// are never started (Run is not called): we serve on listeners that we
	// bound ourselves, so that UDP and TCP get the same free port.
	srv, err := challtestsrv.New(challtestsrv.Config{
		DNSAddrs: []string{"127.0.0.1:0"},
		Log:      log.New(io.Discard, "", 0),
	})
	if err != nil {
		return nil, "", fmt.Errorf("pebblecore: challtestsrv: %w", err)
	}
	srv.SetDefaultDNSIPv4("127.0.0.1")
	srv.SetDefaultDNSIPv6("")

	pc, ln, err := listenUDPAndTCP()
	if err != nil {
		return nil, "", err
	}
	for _, s := range []*dns.Server{
		{PacketConn: pc, Handler: dns.DefaultServeMux},
		{Listener: ln, Handler: dns.DefaultServeMux},
	} {
		if err := activate(s); err != nil {
			return nil, "", err
		}
	}
	return srv, pc.LocalAddr().String(), nil
}

// activate serves s in the background and waits until it is ready.
func activate(s *dns.Server) error {
	started := make(chan struct{})
	s.NotifyStartedFunc = func() { close(started) }
	errc := make(chan error, 1)
	go func() { errc <- s.ActivateAndServe() }()
	select {
	case <-started:
		return nil
	case err := <-errc:
		return fmt.Errorf("pebblecore: DNS server: %w", err)
	case <-time.After(10 * time.Second):
		return fmt.Errorf("pebblecore: DNS server did not start")
	}
}

// listenUDPAndTCP binds a free loopback port over both UDP and TCP.
func listenUDPAndTCP() (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, fmt.Errorf("pebblecore: listen udp: %w", err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		lastErr = err
		_ = pc.Close()
	}
	return nil, nil, fmt.Errorf("pebblecore: no port free over both UDP and TCP: %w", lastErr)
}
