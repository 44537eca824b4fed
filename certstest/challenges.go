package certstest

import (
	"crypto/tls"
	"errors"
	"net/http"
)

// HandleHTTP01 makes h answer the CA's HTTP-01 requests (plain HTTP to
// port 80 of the name being validated, in production). Give it what you
// serve on port 80, such as a Manager's HTTPHandler:
//
//	ca.HandleHTTP01(m.HTTPHandler(nil))
//
// Until it is called, and after HandleHTTP01(nil), every request gets 404
// Not Found, as from a server that does not route the challenge to you.
// It may be called again at any time to change the handler.
func (ca *CA) HandleHTTP01(h http.Handler) {
	if h == nil {
		ca.http01.Store(nil)
		return
	}
	ca.http01.Store(&h)
}

// HandleTLSALPN01 makes getCert answer the CA's TLS-ALPN-01 handshakes
// (TLS to port 443 of the name being validated, in production). Give it
// the GetCertificate of what you serve on port 443, such as a Manager's:
//
//	ca.HandleTLSALPN01(m.GetCertificate)
//
// Until it is called, and after HandleTLSALPN01(nil), every handshake
// fails. It may be called again at any time to change the function.
func (ca *CA) HandleTLSALPN01(getCert func(*tls.ClientHelloInfo) (*tls.Certificate, error)) {
	if getCert == nil {
		ca.alpn01.Store(nil)
		return
	}
	ca.alpn01.Store(&getCert)
}

func (ca *CA) serveHTTP01(w http.ResponseWriter, r *http.Request) {
	if h := ca.http01.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	http.Error(w, "certstest: nothing answers HTTP-01 challenges; call CA.HandleHTTP01", http.StatusNotFound)
}

func (ca *CA) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if f := ca.alpn01.Load(); f != nil {
		return (*f)(hello)
	}
	return nil, errors.New("certstest: nothing answers TLS-ALPN-01 challenges; call CA.HandleTLSALPN01")
}
