package certs

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"unsafe"
)

// GetCertificate returns the certificate for a TLS handshake. Use it as
// tls.Config.GetCertificate (or use TLSConfig).
//
// It looks up the exact server name, then the wildcard one label up, and
// serves the custom certificate first. It falls back to the ACME
// certificate when the custom one is absent, expired, not yet valid,
// revoked, not supported by the client (ClientHelloInfo.
// SupportsCertificate, e.g. an ECDSA-only custom certificate and an
// RSA-only client), or marked OCSP Must-Staple with no OCSP response to
// staple yet. A lone certificate is served even if it expired, so that
// clients see why the handshake is refused. Certificates that name an OCSP
// responder carry its latest good response (fetched in the background,
// never here; see Config.DisableOCSPStapling).
//
// It does no Store I/O, takes no lock and allocates nothing on a hit,
// including for mixed-case names. With Config.MaxLoadedHostnames, a stored
// name whose record is not held in memory is first read from the Store.
func (m *Manager) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if isALPNChallenge(hello) {
		return m.alpnCertificate(hello)
	}
	name := hello.ServerName
	if name == "" {
		if m.defaultCert != nil {
			return m.defaultCert, nil
		}
		return nil, ErrNoServerName
	}
	if len(name) > 1 && name[len(name)-1] == '.' {
		name = name[:len(name)-1]
	}
	if m.bounded != nil {
		return m.boundedCertificate(hello, name)
	}
	// Browsers send lowercase names: look up as is first, and fold the
	// case only when that misses.
	one, e := m.index.Load().lookup(name)
	if one == nil && e == nil && hasUpper(name) {
		one, e = m.lookupFolded(name)
	}
	switch {
	case one != nil:
		return one, nil
	case e == nil:
		return m.miss(hello)
	}
	return e.choose(hello, m)
}

// miss handles a handshake for a name the index does not serve: from the
// Store while a background load runs, through on-demand TLS when it is on,
// else as an unknown name.
func (m *Manager) miss(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	switch {
	case m.loading.Load():
		return m.loadingCertificate(hello)
	case m.onDemand != nil:
		return m.onDemandCertificate(hello)
	}
	return nil, unknownHost(hello.ServerName)
}

// helloName is the normalized server name of a hello on the miss path
// (a name to look for in the Store or to order); an invalid name or a
// wildcard is an unknown host.
func helloName(hello *tls.ClientHelloInfo) (string, error) {
	name, err := NormalizeHostname(hello.ServerName)
	if err != nil || strings.HasPrefix(name, "*.") {
		return "", unknownHost(hello.ServerName)
	}
	return name, nil
}

// helloContext is the handshake's context, or the background for a
// ClientHelloInfo built by hand rather than by crypto/tls.
func helloContext(hello *tls.ClientHelloInfo) context.Context {
	if ctx := hello.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// lookupFolded looks up a name with upper-case letters. The lowercased copy
// lives on the stack and is not retained, so this allocates nothing either.
func (m *Manager) lookupFolded(name string) (*tls.Certificate, *served) {
	var buf [maxHostnameLen]byte
	if len(name) > len(buf) {
		return nil, nil
	}
	return m.index.Load().lookup(lowerInto(buf[:len(name)], name))
}

// lowerInto writes name lowercased into dst (as long as name) and returns
// it as a string sharing dst's memory: use it only while dst lives.
func lowerInto(dst []byte, name string) string {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return unsafe.String(&dst[0], len(dst))
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// unknownHost is the error for a server name nothing serves. Clients choose
// the name (up to 64 KB in a ClientHello): it is quoted and cut to the
// longest valid hostname, so that logs of such errors stay small.
func unknownHost(name string) error {
	if len(name) > maxHostnameLen {
		return fmt.Errorf("%w %q... (%d bytes)", ErrUnknownHost, name[:maxHostnameLen], len(name))
	}
	return fmt.Errorf("%w %q", ErrUnknownHost, name)
}

// choose picks the certificate to serve: custom first, ACME as fallback,
// and among the ACME ones the first the client supports. A Must-Staple
// custom certificate without a staple gives way to an ACME one the client
// supports.
func (e *served) choose(hello *tls.ClientHelloInfo, m *Manager) (*tls.Certificate, error) {
	if e.acme == nil && e.acmeAlt == nil {
		return e.custom, nil
	}
	if e.custom == nil {
		return e.pickACME(hello), nil
	}
	now := m.now()
	if now.Before(e.customNotBefore) || now.After(e.customNotAfter) {
		return e.pickACME(hello), nil
	}
	if e.customUnstapled || hello.SupportsCertificate(e.custom) != nil {
		if a := e.acmeFor(hello); a != nil {
			return a, nil
		}
	}
	return e.custom, nil
}

// acmeFor returns the ACME certificate the client supports, or nil.
func (e *served) acmeFor(hello *tls.ClientHelloInfo) *tls.Certificate {
	for _, c := range []*tls.Certificate{e.acme, e.acmeAlt} {
		if c != nil && hello.SupportsCertificate(c) == nil {
			return c
		}
	}
	return nil
}

// pickACME returns the ACME certificate the client supports, else the
// first one (so that the client sees why the handshake fails).
func (e *served) pickACME(hello *tls.ClientHelloInfo) *tls.Certificate {
	if c := e.acmeFor(hello); c != nil {
		return c
	}
	if e.acme != nil {
		return e.acme
	}
	return e.acmeAlt
}

// TLSConfig returns a tls.Config that serves the Manager's certificates,
// with TLS 1.2 as the minimum version and the ACME TLS-ALPN-01 protocol
// enabled. Add your application protocols to NextProtos.
func (m *Manager) TLSConfig() *tls.Config {
	return &tls.Config{
		GetCertificate: m.GetCertificate,
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"h2", "http/1.1", acmeTLSALPNProto},
	}
}

// acmeTLSALPNProto is the ALPN protocol of the TLS-ALPN-01 challenge (RFC 8737).
const acmeTLSALPNProto = "acme-tls/1"
