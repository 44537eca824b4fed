package certs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Challenge tokens live in the Store, so that any replica behind a load
// balancer can answer the CA.
const (
	httpTokenPrefix = "acme/http-01/"
	alpnPrefix      = "acme/tls-alpn-01/"
	wellKnownPrefix = "/.well-known/acme-challenge/"
)

// HTTPHandler returns a handler for port 80 that answers ACME HTTP-01
// challenges from the Store (any replica sharing the Store can answer) and
// passes every other request to fallback. A nil fallback redirects GET and
// HEAD requests to https and refuses the rest.
func (m *Manager) HTTPHandler(fallback http.Handler) http.Handler {
	if fallback == nil {
		fallback = http.HandlerFunc(redirectHTTPS)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.URL.Path, wellKnownPrefix)
		if !ok {
			fallback.ServeHTTP(w, r)
			return
		}
		keyAuth, err := m.store.GetBlob(r.Context(), httpTokenPrefix+token)
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				m.log.Warn("certs: reading HTTP-01 token", "error", err)
			}
			http.Error(w, "unknown ACME challenge token", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write(keyAuth)
	})
}

func redirectHTTPS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "use HTTPS", http.StatusBadRequest)
		return
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusFound)
}

// httpSolver presents HTTP-01 tokens by writing them to the Store.
type httpSolver struct{ m *Manager }

func (s httpSolver) Present(ctx context.Context, _, token, keyAuth string) error {
	return s.m.store.PutBlob(ctx, httpTokenPrefix+token, []byte(keyAuth))
}

func (s httpSolver) CleanUp(ctx context.Context, _, token, _ string) error {
	return s.m.store.DeleteBlob(ctx, httpTokenPrefix+token)
}

// alpnSolver presents TLS-ALPN-01 challenges: GetCertificate answers
// acme-tls/1 hellos for the domain with a challenge certificate. The key
// authorization is also written to the Store so that other replicas can
// build the same answer.
type alpnSolver struct{ m *Manager }

func (s alpnSolver) Present(ctx context.Context, domain, _, keyAuth string) error {
	cert, err := tlsALPNCertificate(domain, keyAuth)
	if err != nil {
		return err
	}
	s.m.alpn.set(domain, cert)
	return s.m.store.PutBlob(ctx, alpnPrefix+alpnKey(domain), []byte(keyAuth))
}

func (s alpnSolver) CleanUp(ctx context.Context, domain, _, _ string) error {
	s.m.alpn.set(domain, nil)
	return s.m.store.DeleteBlob(ctx, alpnPrefix+alpnKey(domain))
}

// alpnKey maps a domain to a Store key segment (no '*' reaches here:
// wildcards need DNS-01).
func alpnKey(domain string) string { return strings.ReplaceAll(domain, "*", "_") }

// alpnCerts holds the TLS-ALPN-01 challenge certificates: those this
// process presents, and those built from key authorizations that other
// replicas wrote to the Store (remembered with their key authorization, so
// that a new challenge for the same name is never answered with an old
// certificate). It is touched only by acme-tls/1 hellos, never by ordinary
// handshakes.
type alpnCerts struct {
	mu     sync.Mutex
	certs  map[string]*tls.Certificate
	remote map[string]alpnRemote
}

type alpnRemote struct {
	keyAuth string
	cert    *tls.Certificate
}

// maxRemoteALPN bounds the certificates kept for other replicas'
// challenges; past it the oldest are simply rebuilt on demand.
const maxRemoteALPN = 1024

func (a *alpnCerts) set(domain string, c *tls.Certificate) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c == nil {
		delete(a.certs, domain)
		return
	}
	if a.certs == nil {
		a.certs = make(map[string]*tls.Certificate)
	}
	a.certs[domain] = c
}

func (a *alpnCerts) get(domain string) *tls.Certificate {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.certs[domain]
}

// remoteFor returns the certificate built for domain and keyAuth, building
// it when the key authorization changed.
func (a *alpnCerts) remoteFor(domain, keyAuth string) (*tls.Certificate, error) {
	a.mu.Lock()
	r, ok := a.remote[domain]
	a.mu.Unlock()
	if ok && r.keyAuth == keyAuth {
		return r.cert, nil
	}
	c, err := tlsALPNCertificate(domain, keyAuth)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.remote == nil || len(a.remote) >= maxRemoteALPN {
		a.remote = make(map[string]alpnRemote)
	}
	a.remote[domain] = alpnRemote{keyAuth: keyAuth, cert: c}
	return c, nil
}

// forgetRemote drops what was built for domain from the Store.
func (a *alpnCerts) forgetRemote(domain string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.remote, domain)
}

// isALPNChallenge reports whether a hello is a TLS-ALPN-01 validation.
func isALPNChallenge(hello *tls.ClientHelloInfo) bool {
	return len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acmeTLSALPNProto
}

// alpnCertificate answers a TLS-ALPN-01 validation: from memory, else from
// a key authorization another replica wrote to the Store.
func (m *Manager) alpnCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	domain := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	if c := m.alpn.get(domain); c != nil {
		return c, nil
	}
	ctx, cancel := context.WithTimeout(helloContext(hello), 5*time.Second)
	defer cancel()
	// Another replica's challenge: the Store holds its current key
	// authorization, read on every validation so that a later challenge
	// for the same name gets its own certificate.
	keyAuth, err := m.store.GetBlob(ctx, alpnPrefix+alpnKey(domain))
	if err != nil {
		m.alpn.forgetRemote(domain)
		return nil, fmt.Errorf("certs: no TLS-ALPN-01 challenge for %.253q: %w", domain, err)
	}
	return m.alpn.remoteFor(domain, string(keyAuth))
}

// idPeAcmeIdentifier is the acmeIdentifier extension of RFC 8737.
var idPeAcmeIdentifier = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 31}

// tlsALPNCertificate builds the self-signed RFC 8737 challenge certificate:
// the domain as its only SAN and the SHA-256 of the key authorization in a
// critical acmeIdentifier extension.
func tlsALPNCertificate(domain, keyAuth string) (*tls.Certificate, error) {
	sum := sha256.Sum256([]byte(keyAuth))
	ext, err := asn1.Marshal(sum[:])
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:    serial,
		Subject:         pkix.Name{CommonName: "ACME challenge"},
		DNSNames:        []string{domain},
		NotBefore:       time.Now().Add(-time.Hour),
		NotAfter:        time.Now().Add(24 * time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: idPeAcmeIdentifier, Critical: true, Value: ext}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}
