package validate

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// dnsUDPSize is the EDNS0 buffer size advertised (the DNS flag day 2020 value).
const dnsUDPSize = 1232

// dnsClient sends single queries: UDP first, TCP when the answer is
// truncated, with retries on timeouts. It is safe for concurrent use.
type dnsClient struct {
	timeout time.Duration
	retries int
}

// exchange asks server for name/qtype, with recursion desired when
// recurse is set (resolvers) and without (authoritative servers). It
// returns the response (whatever its rcode) or a transport error:
// ErrDNSTimeout, or ErrDNSFailure wrapping the cause. It returns ctx.Err()
// when ctx is done.
func (c *dnsClient) exchange(ctx context.Context, server, name string, qtype uint16, recurse bool) (*dns.Msg, error) {
	var lastErr error
	for range c.retries + 1 {
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		m.RecursionDesired = recurse
		m.SetEdns0(dnsUDPSize, false)
		r, err := c.once(ctx, "udp", server, m)
		if err == nil && r.Truncated {
			r, err = c.once(ctx, "tcp", server, m)
		}
		if err == nil {
			return r, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		lastErr = err
		if !errors.Is(err, ErrDNSTimeout) {
			break
		}
	}
	return nil, lastErr
}

// once sends m over network and reads the answer, honouring ctx.
func (c *dnsClient) once(ctx context.Context, network, server string, m *dns.Msg) (*dns.Msg, error) {
	dialer := net.Dialer{Timeout: c.timeout}
	nc, err := dialer.DialContext(ctx, network, server)
	if err != nil {
		return nil, classify(err)
	}
	conn := &dns.Conn{Conn: nc, UDPSize: dnsUDPSize}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Now()) })
	defer stop()
	if err := nc.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return nil, classify(err)
	}
	m.Id = dns.Id()
	if err := conn.WriteMsg(m); err != nil {
		return nil, classify(err)
	}
	for {
		r, err := conn.ReadMsg()
		if err != nil {
			return nil, classify(err)
		}
		if r.Id == m.Id && len(r.Question) == 1 && strings.EqualFold(r.Question[0].Name, m.Question[0].Name) {
			return r, nil
		}
		if network == "tcp" {
			return nil, ErrDNSFailure
		}
	}
}

// classify maps a transport error to ErrDNSTimeout or ErrDNSFailure.
func classify(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrDNSTimeout
	}
	return fmt.Errorf("%w: %v", ErrDNSFailure, err)
}
