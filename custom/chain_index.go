package custom

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/bits"
)

// sigBudget is the signature-checking work one assembly may do, in units
// of one ECDSA P-256 check (about 70 µs on the development machine): about
// 70 ms in all. A real chain needs a few units per certificate.
const sigBudget = 1000

// chain indexes an upload's certificates for assembly.
type chain struct {
	p         *parser
	certs     []*x509.Certificate
	bySubject map[string][]int // raw subject -> indexes
	used      map[int]bool
	self      map[int]bool // memoized selfSigned
	budget    int
	err       error // first budget or context failure; checks fail after it
}

func newChain(p *parser, certs []*x509.Certificate) *chain {
	c := &chain{p: p, certs: certs, bySubject: map[string][]int{}, used: map[int]bool{},
		self: map[int]bool{}, budget: sigBudget}
	for i, cert := range certs {
		c.bySubject[string(cert.RawSubject)] = append(c.bySubject[string(cert.RawSubject)], i)
	}
	return c
}

// pickLeaf returns the key to use and the leaf: the first key matching a
// certificate (a non-CA one first) and that certificate, matched true;
// else the first key and the structural leaf. Keys and certificates are
// matched through a map of their public keys.
func (c *chain) pickLeaf(keys []crypto.Signer) (crypto.Signer, int, bool) {
	byKey := map[string][]int{}
	for i, cert := range c.certs {
		if id := publicKeyID(cert.PublicKey); id != "" {
			byKey[id] = append(byKey[id], i)
		}
	}
	for _, k := range keys {
		idxs := byKey[publicKeyID(k.Public())]
		if len(idxs) == 0 {
			continue
		}
		for _, i := range idxs {
			if !c.certs[i].IsCA {
				return k, i, true
			}
		}
		return k, idxs[0], true
	}
	return keys[0], c.structuralLeaf(), false
}

// structuralLeaf returns the first non-CA certificate that no other names
// as its issuer, else the first that no other names (a CA uploaded alone,
// left for validation to reject), else the first. Names suffice here: it
// is only used when no key matches, which validation reports anyway.
func (c *chain) structuralLeaf() int {
	issuers := map[string]int{} // raw issuer -> certificates naming it, self-named excluded
	for _, cert := range c.certs {
		if !bytes.Equal(cert.RawIssuer, cert.RawSubject) {
			issuers[string(cert.RawIssuer)]++
		}
	}
	issuesOther := func(cert *x509.Certificate) bool { return issuers[string(cert.RawSubject)] > 0 }
	for i, cert := range c.certs {
		if !cert.IsCA && !issuesOther(cert) {
			return i
		}
	}
	for i, cert := range c.certs {
		if !issuesOther(cert) {
			return i
		}
	}
	return 0
}

// findIssuer returns the first unused certificate that issued certs[child],
// or -1. Only certificates whose subject is the child's issuer and whose
// key identifier agrees are checked.
func (c *chain) findIssuer(child int) int {
	cc := c.certs[child]
	for _, i := range c.bySubject[string(cc.RawIssuer)] {
		if !c.used[i] && i != child && c.issuedBy(cc, c.certs[i]) {
			return i
		}
	}
	return -1
}

// selfSigned reports whether certs[i] issued itself.
func (c *chain) selfSigned(i int) bool {
	if v, ok := c.self[i]; ok {
		return v
	}
	c.self[i] = c.issuedBy(c.certs[i], c.certs[i])
	return c.self[i]
}

// issuedBy reports whether parent issued child: the names and key
// identifiers agree and parent's key verifies child's signature. A SHA-1
// or MD5 signature, which Go refuses to verify, is accepted on names and
// key identifiers alone (validation reports weak signatures). Each check
// is charged to the budget; once it is spent, or the context is done,
// issuedBy is false and c.err says why.
func (c *chain) issuedBy(child, parent *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	if len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 &&
		!bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId) {
		return false
	}
	if !c.charge(child, parent) {
		return false
	}
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

// charge pays for one signature check, or records why it cannot be done.
func (c *chain) charge(child, parent *x509.Certificate) bool {
	if c.err != nil {
		return false
	}
	if err := c.p.alive(); err != nil {
		c.err = err
		return false
	}
	cost := verifyCost(parent.PublicKey)
	if cost > c.budget {
		c.err = fmt.Errorf("%w: the upload holds %d certificates named %s; finding which one issued %s takes too many signature checks; remove the certificates that are not part of the leaf's chain",
			ErrTooManyCertificates, len(c.bySubject[string(parent.RawSubject)]), quoteShort(parent.Subject.String()), quoteShort(child.Subject.String()))
		return false
	}
	c.budget -= cost
	return true
}

// verifyCost estimates one signature check with pub in budget units,
// generously: P-384 and P-521 checks cost about 8 and 22 P-256 checks,
// and an RSA check grows with the square of the modulus size and with
// the exponent's bits.
func verifyCost(pub crypto.PublicKey) int {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return 1
		case 384:
			return 10
		default:
			return 30
		}
	case ed25519.PublicKey:
		return 1
	case *rsa.PublicKey:
		blocks := (k.N.BitLen() + 2047) / 2048
		e := uint(k.E)
		return blocks*blocks*2*(bits.Len(e)+bits.OnesCount(e))/19 + 1
	}
	return 1
}
