// Package bindtest runs BIND 9's named for tests: an authoritative server
// on a loopback address, in a temporary directory, with its own
// configuration, serving the zones a test gives and accepting RFC 2136
// updates signed with the test's TSIG keys. It is the real implementation
// next to internal/dnstest, so that our DNS code is not only tested
// against a server we wrote.
//
// named is not started as a system service and needs no privileges: it
// runs as the test's user (root in CI) without -u, so it never changes
// user, and writes only below its directory. When named is not installed
// the tests skip, unless the environment variable CI is set: there a
// missing named is a failure (.ci/run installs Debian's bind9).
package bindtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Zone is a zone to serve. Records are zone-file lines relative to Name
// ("www 300 IN A 192.0.2.1", "@ CAA 0 issue \"letsencrypt.org\""). A zone
// without an SOA gets one naming "ns1.<zone>." as its primary; a zone
// without NS records gets "ns1.<zone>." with an A record of the server's
// address, so that a checker told to use the server's port finds the
// zone's nameservers on it (as internal/dnstest does).
type Zone struct {
	Name    string
	Records []string
}

// Options configure Start.
type Options struct {
	// IP is the loopback address the server answers on; empty means
	// 127.0.0.1. A second named on 127.0.0.2 and the same Port serves a
	// child zone whose glue points there. named itself listens on
	// 127.0.0.1 (the only loopback address it sees on an interface); a
	// relay in the test process forwards IP:Port to it.
	IP string
	// Port is the UDP and TCP port; empty means a free one.
	Port string
	// TSIG maps key names (with trailing dot) to base64 hmac-sha256
	// secrets. Every zone accepts updates signed with any of them
	// (update-policy: grant zonesub ANY), and no others.
	TSIG map[string]string
	// Records are fully qualified zone-file lines ("www.example.com. A
	// 192.0.2.1"), each added to the served zone closest to its name.
	Records []string
}

// Server is a running named. Start stops it in tb.Cleanup.
type Server struct {
	ip, port string
	dir      string
}

// Addr is the server's "ip:port", for UDP and TCP alike.
func (s *Server) Addr() string { return net.JoinHostPort(s.ip, s.port) }

// Port is the server's port.
func (s *Server) Port() string { return s.port }

// Dir is named's directory (configuration, zone files, journals, log).
func (s *Server) Dir() string { return s.dir }

// Named returns the path of the named binary. When it is not installed,
// it skips the test, or fails it when the environment variable CI is set.
func Named(tb testing.TB) string {
	tb.Helper()
	for _, p := range []string{"named", "/usr/sbin/named", "/usr/local/sbin/named"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		tb.Fatal("bindtest: named (BIND 9) is not installed, and CI requires it; .ci/run installs it with apt-get install bind9")
	}
	tb.Skip("bindtest: named (BIND 9) is not installed; install it (Debian: apt-get install bind9) to run this test against BIND")
	return ""
}

// Start runs named serving zones (at least one) with opts, and waits
// until it answers for the first.
func Start(tb testing.TB, opts Options, zones ...Zone) *Server {
	tb.Helper()
	named := Named(tb)
	if len(zones) == 0 {
		tb.Fatal("bindtest: Start needs at least one zone")
	}
	if opts.IP == "" {
		opts.IP = "127.0.0.1"
	}
	files, err := zoneFiles(opts, zones)
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{ip: opts.IP, port: opts.Port}
	if s.port == "" {
		s.port = freePort(tb, s.ip)
	}
	// named listens on 127.0.0.1: on the Server's port, or on a free one
	// (chosen anew if another process takes it first) behind a relay.
	var lastErr error
	for range 3 {
		port := s.port
		if s.ip != "127.0.0.1" {
			port = freePort(tb, "127.0.0.1")
		}
		s.dir = tb.TempDir()
		if lastErr = s.run(tb, named, port, opts, zones, files); lastErr == nil {
			return s
		}
		if s.ip == "127.0.0.1" && opts.Port != "" {
			break
		}
		if s.ip == "127.0.0.1" {
			s.port = freePort(tb, s.ip)
		}
	}
	tb.Fatal(lastErr)
	return nil
}

// run writes the configuration and zone files, starts named on
// 127.0.0.1:port (relayed from the Server's address when that differs)
// and waits for its first zone's SOA.
func (s *Server) run(tb testing.TB, named, port string, opts Options, zones []Zone, files map[string]string) error {
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(body), 0o600); err != nil {
			return fmt.Errorf("bindtest: %w", err)
		}
	}
	conf := filepath.Join(s.dir, "named.conf")
	if err := os.WriteFile(conf, []byte(s.config(port, opts, zones)), 0o600); err != nil {
		return fmt.Errorf("bindtest: %w", err)
	}
	log, err := os.Create(filepath.Join(s.dir, "named.log"))
	if err != nil {
		return fmt.Errorf("bindtest: %w", err)
	}
	cmd := exec.Command(named, "-g", "-4", "-n", "1", "-c", conf)
	cmd.Stdout, cmd.Stderr, cmd.Dir = log, log, s.dir
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return fmt.Errorf("bindtest: start named: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = log.Close(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	local := net.JoinHostPort("127.0.0.1", port)
	if err := s.wait(local, zones, exited); err != nil {
		stop()
		return err
	}
	tb.Cleanup(stop)
	if local != s.Addr() {
		if err := relay(tb, s.Addr(), local); err != nil {
			return fmt.Errorf("bindtest: relay %s to named: %w", s.Addr(), err)
		}
	}
	return nil
}

// wait polls named at addr for its first zone's SOA for up to 15 s.
func (s *Server) wait(addr string, zones []Zone, exited <-chan struct{}) error {
	m := new(dns.Msg).SetQuestion(dns.Fqdn(zones[0].Name), dns.TypeSOA)
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("bindtest: named exited at start-up:\n%s", s.logTail())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		r, _, err := c.ExchangeContext(ctx, m, addr)
		cancel()
		if err == nil && r.Rcode == dns.RcodeSuccess {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("bindtest: named did not answer on %s within 15 s:\n%s", addr, s.logTail())
}

// logTail is the end of named's log, for failure messages.
func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "named.log"))
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// freePort returns a port of ip that is free for both UDP and TCP now.
func freePort(tb testing.TB, ip string) string {
	tb.Helper()
	for range 20 {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(ip, "0"))
		if err != nil {
			tb.Fatalf("bindtest: listen udp on %s: %v", ip, err)
		}
		addr := pc.LocalAddr().String()
		ln, err := net.Listen("tcp", addr)
		_ = pc.Close()
		if err == nil {
			_ = ln.Close()
			_, port, _ := net.SplitHostPort(addr)
			return port
		}
	}
	tb.Fatalf("bindtest: no port of %s free for both UDP and TCP", ip)
	return ""
}

// config is named.conf: an authoritative-only server on 127.0.0.1:port,
// no control channel, everything it writes below its directory.
func (s *Server) config(port string, opts Options, zones []Zone) string {
	var b strings.Builder
	fmt.Fprintf(&b, `options {
	directory %q;
	pid-file %q;
	session-keyfile %q;
	managed-keys-directory %q;
	listen-on port %s { %s; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
	notify no;
};
controls { };
`, s.dir, filepath.Join(s.dir, "named.pid"), filepath.Join(s.dir, "session.key"), s.dir, port, "127.0.0.1")
	var grants []string
	for name, secret := range opts.TSIG {
		fmt.Fprintf(&b, "key %q { algorithm hmac-sha256; secret %q; };\n", dns.Fqdn(name), secret)
		grants = append(grants, fmt.Sprintf("grant %q zonesub ANY;", dns.Fqdn(name)))
	}
	for _, z := range zones {
		apex := strings.TrimSuffix(dns.CanonicalName(z.Name), ".")
		fmt.Fprintf(&b, "zone %q {\n\ttype primary;\n\tfile %q;\n", apex, apex+".db")
		if len(grants) > 0 {
			fmt.Fprintf(&b, "\tupdate-policy { %s };\n", strings.Join(grants, " "))
		}
		b.WriteString("};\n")
	}
	return b.String()
}
