package pebblecore

import "github.com/miekg/dns"

// SetA makes name resolve to addrs (IPv4) instead of 127.0.0.1, for tests
// of a name that points elsewhere: with "127.0.0.2" the validation
// authority's HTTP-01 and TLS-ALPN-01 connections are refused at once.
func (s *Server) SetA(name string, addrs ...string) {
	srv, _, _ := dnsServer()
	srv.AddDNSARecord(dns.Fqdn(name), addrs)
}

// ClearA makes name resolve to 127.0.0.1 again.
func (s *Server) ClearA(name string) {
	srv, _, _ := dnsServer()
	srv.DeleteDNSARecord(dns.Fqdn(name))
}
