package bindtest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// relay forwards DNS over UDP and TCP from listen ("ip:port") to target,
// byte for byte, until tb's cleanup. It lets a named that listens on
// 127.0.0.1 answer on another loopback address: named listens only on
// addresses configured on an interface, and lo usually has 127.0.0.1
// alone, while Linux lets any process bind all of 127.0.0.0/8.
func relay(tb testing.TB, listen, target string) error {
	pc, err := net.ListenPacket("udp", listen)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		_ = pc.Close()
		return err
	}
	var wg sync.WaitGroup
	wg.Go(func() { relayUDP(pc, target) })
	wg.Go(func() { relayTCP(ln, target) })
	tb.Cleanup(func() {
		_ = pc.Close()
		_ = ln.Close()
		wg.Wait()
	})
	return nil
}

// relayUDP answers each datagram with target's answer to it.
func relayUDP(pc net.PacketConn, target string) {
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		msg := append([]byte(nil), buf[:n]...)
		go func() {
			c, err := net.Dial("udp", target)
			if err != nil {
				return
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(msg); err != nil {
				return
			}
			resp := make([]byte, 65535)
			if n, err := c.Read(resp); err == nil {
				_, _ = pc.WriteTo(resp[:n], from)
			}
		}()
	}
}

// relayTCP joins each connection to a new connection to target.
func relayTCP(ln net.Listener, target string) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		in, err := ln.Accept()
		if err != nil {
			return
		}
		wg.Go(func() {
			defer in.Close()
			out, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer out.Close()
			_ = in.SetDeadline(time.Now().Add(30 * time.Second))
			go func() { _, _ = io.Copy(out, in); _ = out.(*net.TCPConn).CloseWrite() }()
			_, _ = io.Copy(in, out)
		})
	}
}
