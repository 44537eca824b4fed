package custom

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// assemble picks the leaf among certs and orders its issuers after it,
// dropping exact duplicates and self-signed roots. Certificates that are
// none of these are an ErrUnrelatedCertificate.
func assemble(certs []*x509.Certificate, key crypto.Signer) (*Bundle, error) {
	certs, notes := dropDuplicates(certs)
	leafIdx := findLeaf(certs, key)
	leaf := certs[leafIdx]
	used := map[int]bool{leafIdx: true}
	order := []int{leafIdx}
	var intermediates []*x509.Certificate
	for cur := leaf; !selfSigned(cur); {
		i := findIssuer(cur, certs, used)
		if i < 0 {
			break
		}
		used[i] = true
		if selfSigned(certs[i]) {
			notes = append(notes, rootNote(certs[i]))
			break
		}
		order = append(order, i)
		intermediates = append(intermediates, certs[i])
		cur = certs[i]
	}
	var unrelated []string
	for i, c := range certs {
		switch {
		case used[i]:
		case selfSigned(c):
			notes = append(notes, rootNote(c))
		default:
			unrelated = append(unrelated, quoteShort(c.Subject.String()))
		}
	}
	if len(unrelated) > 0 {
		return nil, fmt.Errorf("%w: %s neither issued %s nor any of its issuers; remove %s from the chain (or add the missing certificates that link %s to the leaf)",
			ErrUnrelatedCertificate, strings.Join(unrelated, ", "), quoteShort(leaf.Subject.String()),
			plural(len(unrelated), "it", "them"), plural(len(unrelated), "it", "them"))
	}
	if !sort.IntsAreSorted(order) {
		notes = append(notes, Note{Code: NoteChainReordered,
			Message: "the chain was out of order and was reordered: leaf first, then each certificate's issuer"})
	}
	return &Bundle{Leaf: leaf, Intermediates: intermediates, PrivateKey: key, Notes: notes}, nil
}

// dropDuplicates removes byte-identical repeats, keeping the first.
func dropDuplicates(certs []*x509.Certificate) ([]*x509.Certificate, []Note) {
	var out []*x509.Certificate
	var notes []Note
	seen := make(map[string]bool, len(certs))
	for _, c := range certs {
		if seen[string(c.Raw)] {
			notes = append(notes, Note{Code: NoteDuplicateDropped,
				Message: fmt.Sprintf("a duplicate of %s was dropped", quoteShort(c.Subject.String()))})
			continue
		}
		seen[string(c.Raw)] = true
		out = append(out, c)
	}
	return out, notes
}

func rootNote(c *x509.Certificate) Note {
	return Note{Code: NoteRootDropped,
		Message: fmt.Sprintf("the self-signed root %s was dropped: clients already trust their own roots and must not be sent one", quoteShort(c.Subject.String()))}
}

// findLeaf returns the index of the leaf: the certificate matching key (a
// non-CA one first), else the first non-CA certificate that issued none of
// the others, else the first that issued none (a CA uploaded alone, left
// for validation to reject), else the first.
func findLeaf(certs []*x509.Certificate, key crypto.Signer) int {
	if key != nil {
		match := -1
		for i, c := range certs {
			if keyMatches(c, key) {
				if !c.IsCA {
					return i
				}
				if match < 0 {
					match = i
				}
			}
		}
		if match >= 0 {
			return match
		}
	}
	issuesOther := func(i int) bool {
		for j, c := range certs {
			if j != i && issuedBy(c, certs[i]) {
				return true
			}
		}
		return false
	}
	for i, c := range certs {
		if !c.IsCA && !issuesOther(i) {
			return i
		}
	}
	for i := range certs {
		if !issuesOther(i) {
			return i
		}
	}
	return 0
}

// findIssuer returns the index of the first unused certificate that issued
// child, or -1.
func findIssuer(child *x509.Certificate, certs []*x509.Certificate, used map[int]bool) int {
	for i, c := range certs {
		if !used[i] && issuedBy(child, c) {
			return i
		}
	}
	return -1
}

// issuedBy reports whether parent issued child: the names and key
// identifiers agree and parent's key verifies child's signature. A SHA-1
// signature, which Go refuses to verify, is accepted on names and key
// identifiers alone (validation warns about SHA-1 separately).
func issuedBy(child, parent *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
		return false
	}
	if len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 &&
		!bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId) {
		return false
	}
	err := parent.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}

// selfSigned reports whether c issued itself.
func selfSigned(c *x509.Certificate) bool { return issuedBy(c, c) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
