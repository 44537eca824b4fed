package certstest

import (
	"context"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/internal/pebbletest"
)

// The DNS server is shared by every CA of the process; names are fully
// qualified or not ("shop.example.com" is "shop.example.com.").

// DNSAddr is the address ("127.0.0.1:port", UDP and TCP) of the DNS
// server the CA asks. ACMEConfig already gives it to the Issuer.
func (ca *CA) DNSAddr() string { return ca.srv.DNSAddr }

// DNSProvider returns a DNS provider that presents DNS-01 TXT records in
// the CA's DNS server, for certs.Config.DNSProvider or
// certs.ObtainOptions.DNSProvider.
func (ca *CA) DNSProvider() certs.DNSProvider { return dnsProvider{ca.srv} }

// SetA makes name resolve to the IPv4 addresses addrs instead of
// 127.0.0.1, as for a name that points at another server: with
// "127.0.0.2" the CA's HTTP-01 and TLS-ALPN-01 connections for name are
// refused (on Linux, where all of 127.0.0.0/8 is loopback).
func (ca *CA) SetA(name string, addrs ...string) { ca.srv.SetA(name, addrs...) }

// ClearA makes name resolve to 127.0.0.1 again.
func (ca *CA) ClearA(name string) { ca.srv.ClearA(name) }

// SetCNAME makes name an alias of target, for example to delegate
// "_acme-challenge.shop.example.com" to a zone your DNS provider manages.
// A query of another type at name is answered with the CNAME and the
// target's records, as a recursive resolver answers it.
func (ca *CA) SetCNAME(name, target string) { ca.srv.AddCNAME(name, target) }

// ClearCNAME removes the CNAME at name.
func (ca *CA) ClearCNAME(name string) { ca.srv.ClearCNAME(name) }

// TXT returns the TXT record values at name, for example to check that a
// DNS provider cleaned up "_acme-challenge.shop.example.com".
func (ca *CA) TXT(name string) []string { return ca.srv.TXT(name) }

// dnsProvider presents DNS-01 records in the shared DNS server.
type dnsProvider struct{ srv *pebbletest.Server }

// String names the provider (it holds no secret).
func (dnsProvider) String() string { return "certstest DNS provider" }

func (p dnsProvider) Present(ctx context.Context, rec certs.DNSRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.srv.AddTXT(rec.FQDN, rec.Value)
	return nil
}

// CleanUp removes the record even when ctx is done: it takes no time.
func (p dnsProvider) CleanUp(_ context.Context, rec certs.DNSRecord) error {
	p.srv.RemoveTXT(rec.FQDN, rec.Value)
	return nil
}
