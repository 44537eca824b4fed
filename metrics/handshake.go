package metrics

import (
	"crypto/tls"
	"errors"
)

// WrapGetCertificate returns a GetCertificate hook that calls getCert
// (normally the Manager's GetCertificate) and counts the result:
// certs_handshakes_served_total by the source of the certificate served,
// certs_handshakes_missed_total by the reason of an error. It adds no lock
// and allocates nothing for a name the Manager holds: the source is looked
// up, by the end of the leaf's signature, in an index of what the Manager
// serves.
//
// A certificate the index does not know yet counts as source "unknown":
// one another replica stored and this one loaded (ReloadHostname, or an
// on-demand handshake) is known from the next collection on.
func (mx *Metrics) WrapGetCertificate(getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c, err := getCert(hello)
		if err != nil || c == nil || len(c.Certificate) == 0 {
			mx.counters.missed[missReason(err)].Inc()
			return c, err
		}
		mx.counters.served[mx.sourceOf(hello, c)].Inc()
		return c, err
	}
}

// TLSConfig is the Manager's TLSConfig with its GetCertificate wrapped by
// WrapGetCertificate.
func (mx *Metrics) TLSConfig() *tls.Config {
	cfg := mx.m.TLSConfig()
	cfg.GetCertificate = mx.WrapGetCertificate(cfg.GetCertificate)
	return cfg
}

// sourceOf is the source code of a certificate served to hello.
func (mx *Metrics) sourceOf(hello *tls.ClientHelloInfo, c *tls.Certificate) uint8 {
	switch {
	case len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acmeTLSALPNProto:
		return srcChallenge
	case hello.ServerName == "":
		return srcDefault
	}
	return mx.index.load().lookup(c.Certificate[0])
}

// acmeTLSALPNProto is the ALPN protocol of the TLS-ALPN-01 challenge (RFC
// 8737): a hello offering only it is a CA validating a challenge.
const acmeTLSALPNProto = "acme-tls/1"

// missReason is the miss code of a GetCertificate error (missOther for a
// nil error with no certificate).
func missReason(err error) uint8 {
	if err == nil {
		return missOther
	}
	for i := range missOther {
		if errors.Is(err, missReasons[i].err) {
			return i
		}
	}
	return missOther
}
