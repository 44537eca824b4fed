// Package tlstest serves real TLS handshakes on loopback for tests.
package tlstest

import (
	"crypto/tls"
	"sync"
	"testing"
	"time"
)

// Serve accepts connections on a loopback listener and completes the TLS
// handshake of each with cfg (nothing more is read or written) until the
// test ends. It returns the listener's address.
func Serve(tb testing.TB, cfg *tls.Config) string {
	tb.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		tb.Fatalf("tlstest: listen: %v", err)
	}
	var wg sync.WaitGroup
	tb.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_ = c.(*tls.Conn).Handshake()
			}()
		}
	}()
	return ln.Addr().String()
}
