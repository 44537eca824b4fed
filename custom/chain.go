package custom

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"sort"
)

// assemble picks the leaf among certs (the one matching a key) and orders
// its issuers after it, dropping duplicates, self-signed roots and, when
// a key matched the leaf, other server certificates. Certificates that
// are none of these are an ErrUnrelatedCertificate.
//
// The work is bounded: issuers are looked up by name in a map and every
// signature check is charged to a budget (see sigBudget), so that an
// upload of many certificates sharing one name cannot make it quadratic.
func (p *parser) assemble(certs []*x509.Certificate, keys []crypto.Signer) (*Bundle, error) {
	certs, notes := dropDuplicates(certs)
	c := newChain(p, certs)
	key, leafIdx, matched := c.pickLeaf(keys)
	order, more, err := c.walk(leafIdx)
	if err != nil {
		return nil, err
	}
	notes = append(notes, more...)
	more, err = c.leftovers(leafIdx, matched)
	if err != nil {
		return nil, err
	}
	notes = append(notes, more...)
	if !sort.IntsAreSorted(order) {
		notes = append(notes, Note{Code: NoteChainReordered,
			Message: "the chain was out of order and was reordered: leaf first, then each certificate's issuer"})
	}
	b := &Bundle{Leaf: certs[leafIdx], PrivateKey: key, Notes: compactNotes(notes)}
	for _, i := range order[1:] {
		b.Intermediates = append(b.Intermediates, certs[i])
	}
	return b, nil
}

// walk follows issuers from the leaf: the indexes of the chain, leaf
// first, and a note for a root found at its top. A chain naming one
// subject three times is refused: a chain holds each CA once, twice
// across a key rollover, and verifiers explore every combination of
// certificates that share a name.
func (c *chain) walk(leafIdx int) ([]int, []Note, error) {
	order := []int{leafIdx}
	c.used[leafIdx] = true
	names := map[string]int{string(c.certs[leafIdx].RawSubject): 1}
	var notes []Note
	for cur := leafIdx; !c.selfSigned(cur); {
		i := c.findIssuer(cur)
		if i < 0 {
			break
		}
		c.used[i] = true
		if c.selfSigned(i) {
			notes = append(notes, rootNote(c.certs[i]))
			break
		}
		if err := c.checkLength(leafIdx, len(order), names[string(c.certs[i].RawSubject)]); err != nil {
			return nil, nil, err
		}
		names[string(c.certs[i].RawSubject)]++
		order = append(order, i)
		cur = i
	}
	return order, notes, c.err
}

// checkLength refuses adding an intermediate to a chain of n certificates
// that already names its subject twice (same).
func (c *chain) checkLength(leafIdx, n, same int) error {
	leaf := quoteShort(c.certs[leafIdx].Subject.String())
	if n == c.p.lim.MaxChainLength {
		return fmt.Errorf("%w: the chain of %s has more than %d certificates; upload only the leaf and the intermediates your CA provided",
			ErrChainTooLong, leaf, c.p.lim.MaxChainLength)
	}
	if same == 2 {
		return fmt.Errorf("%w: the chain of %s names the same CA three times or more; a chain holds each CA once, remove the extra certificates",
			ErrTooManyCertificates, leaf)
	}
	return nil
}

// leftovers classifies the certificates outside the chain: self-signed
// roots and, when the key matched the leaf, other server certificates
// are dropped with a note; anything else is an ErrUnrelatedCertificate.
func (c *chain) leftovers(leafIdx int, matched bool) ([]Note, error) {
	var notes []Note
	var unrelated []string
	leaf := quoteShort(c.certs[leafIdx].Subject.String())
	for i, cert := range c.certs {
		switch {
		case c.used[i]:
		case c.selfSigned(i):
			notes = append(notes, rootNote(cert))
		case matched && !cert.IsCA:
			notes = append(notes, Note{Code: NoteUnrelatedDropped,
				Message: fmt.Sprintf("%s is another server certificate, not part of the chain of %s (which matches the private key); it was dropped",
					quoteShort(cert.Subject.String()), leaf)})
		default:
			unrelated = append(unrelated, quoteShort(cert.Subject.String()))
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if len(unrelated) > 0 {
		them := plural(len(unrelated), "it", "them")
		return nil, fmt.Errorf("%w: %s neither issued %s nor any of its issuers; remove %s from the chain (or add the missing certificates that link %s to the leaf)",
			ErrUnrelatedCertificate, listShort(unrelated), leaf, them, them)
	}
	return notes, nil
}

// dropDuplicates removes byte-identical repeats, keeping the first, with
// one note per repeated certificate.
func dropDuplicates(certs []*x509.Certificate) ([]*x509.Certificate, []Note) {
	var out []*x509.Certificate
	seen := make(map[string]int, len(certs))
	for _, c := range certs {
		if seen[string(c.Raw)]++; seen[string(c.Raw)] == 1 {
			out = append(out, c)
		}
	}
	var notes []Note
	for _, c := range out {
		if n := seen[string(c.Raw)] - 1; n > 0 {
			notes = append(notes, Note{Code: NoteDuplicateDropped,
				Message: fmt.Sprintf("%d %s of %s %s dropped", n, plural(n, "duplicate", "duplicates"), quoteShort(c.Subject.String()), plural(n, "was", "were"))})
		}
	}
	return out, notes
}

func rootNote(c *x509.Certificate) Note {
	return Note{Code: NoteRootDropped,
		Message: fmt.Sprintf("the self-signed root %s was dropped: clients already trust their own roots and must not be sent one", quoteShort(c.Subject.String()))}
}
