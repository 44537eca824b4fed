package pebblecore

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// The DNS helpers below act on the DNS server shared by every Pebble of the
// test binary. Names are fully qualified or not ("a.test" == "a.test.").

// AddTXT adds a TXT record value at name.
func (s *Server) AddTXT(name, value string) {
	srv, _, _ := dnsServer()
	sharedDNS.txtMu.Lock()
	defer sharedDNS.txtMu.Unlock()
	srv.AddDNSTXTRecord(dns.Fqdn(name), value)
}

// RemoveTXT removes one TXT record value at name, keeping the others.
// Removing a value that is not there is not an error.
func (s *Server) RemoveTXT(name, value string) {
	srv, _, _ := dnsServer()
	sharedDNS.txtMu.Lock()
	defer sharedDNS.txtMu.Unlock()
	name = dns.Fqdn(name)
	values := slices.Clone(srv.GetDNSTXTRecords(name))
	srv.DeleteDNSTXTRecord(name)
	for _, v := range values {
		if v != value {
			srv.AddDNSTXTRecord(name, v)
		}
	}
}

// ClearTXT removes every TXT record at name.
func (s *Server) ClearTXT(name string) {
	srv, _, _ := dnsServer()
	sharedDNS.txtMu.Lock()
	defer sharedDNS.txtMu.Unlock()
	srv.DeleteDNSTXTRecord(dns.Fqdn(name))
}

// TXT returns the TXT record values at name.
func (s *Server) TXT(name string) []string {
	srv, _, _ := dnsServer()
	sharedDNS.txtMu.Lock()
	defer sharedDNS.txtMu.Unlock()
	return slices.Clone(srv.GetDNSTXTRecords(dns.Fqdn(name)))
}

// AddCNAME makes name an alias of target. The DNS server follows one level
// of CNAME when answering other types, as a recursive resolver would.
func (s *Server) AddCNAME(name, target string) {
	srv, _, _ := dnsServer()
	srv.AddDNSCNAMERecord(dns.Fqdn(name), dns.Fqdn(target))
}

// ClearCNAME removes the CNAME at name.
func (s *Server) ClearCNAME(name string) {
	srv, _, _ := dnsServer()
	srv.DeleteDNSCNAMERecord(dns.Fqdn(name))
}

// UniqueDomain returns a fresh domain under the given parent ("test" if
// empty), such as "k3f9a1c2.test", so that tests sharing the DNS server and a
// Pebble never collide.
func UniqueDomain(parent string) string {
	if parent == "" {
		parent = "test"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "." + strings.TrimSuffix(parent, ".")
}
