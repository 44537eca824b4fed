package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
)

// Sealed value format, version 1:
//
//	magic "\x00certs-sealed\x00" | version 0x01 | len(key ID) (1 byte) | key ID |
//	nonce (12 bytes) | AES-256-GCM ciphertext and tag
//
// The additional data authenticated with the ciphertext is the header (all
// bytes before the nonce) followed by the value's place: "record", the
// record name and the secret name, or "blob" and the blob key, each
// length-prefixed. A sealed value copied to another record, secret or blob
// then fails authentication instead of decrypting.
//
// The magic starts with a NUL byte, which neither PEM nor DER data starts
// with, so a value without it is plaintext written before encryption was
// enabled.
const (
	sealMagic   = "\x00certs-sealed\x00"
	sealVersion = 1
	nonceSize   = 12
)

// sealer seals with its primary key and opens with any of its keys.
type sealer struct {
	primary string
	aeads   map[string]cipher.AEAD
}

func newSealer(primary Key, previous []Key) (*sealer, error) {
	s := &sealer{primary: primary.ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range append([]Key{primary}, previous...) {
		if err := k.check(); err != nil {
			return nil, err
		}
		if _, dup := s.aeads[k.ID]; dup {
			return nil, &KeyError{ID: k.ID, Reason: "two keys have this ID; give every key a unique ID"}
		}
		block, err := aes.NewCipher(k.Secret[:])
		if err != nil {
			return nil, &KeyError{ID: k.ID, Reason: err.Error()}
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, &KeyError{ID: k.ID, Reason: err.Error()}
		}
		s.aeads[k.ID] = aead
	}
	return s, nil
}

// place builds the additional data that binds a value to where it is
// stored, from its kind and names.
func place(kind string, names ...string) []byte {
	b := binary.AppendUvarint(nil, uint64(len(kind)))
	b = append(b, kind...)
	for _, n := range names {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
	}
	return b
}

// seal encrypts plaintext for the place where with the primary key.
func (s *sealer) seal(plaintext, where []byte) ([]byte, error) {
	aead := s.aeads[s.primary]
	out := make([]byte, 0, len(sealMagic)+2+len(s.primary)+nonceSize+len(plaintext)+aead.Overhead())
	out = append(out, sealMagic...)
	out = append(out, sealVersion, byte(len(s.primary)))
	out = append(out, s.primary...)
	header := len(out)
	out = out[:header+nonceSize]
	if _, err := rand.Read(out[header:]); err != nil {
		return nil, fmt.Errorf("store: seal: %w", err)
	}
	aad := append(out[:header:header], where...)
	return aead.Seal(out, out[header:], plaintext, aad), nil
}

// isSealed reports whether b is in the sealed format rather than plaintext.
func isSealed(b []byte) bool { return bytes.HasPrefix(b, []byte(sealMagic)) }

// open decrypts a sealed value stored at where; name describes it for
// errors.
func (s *sealer) open(b, where []byte, name string) ([]byte, error) {
	rest := b[len(sealMagic):]
	if len(rest) < 2 || rest[0] != sealVersion {
		return nil, &DecryptError{Name: name, Reason: "unknown sealed format version; upgrade this program"}
	}
	idLen := int(rest[1])
	if len(rest) < 2+idLen+nonceSize {
		return nil, &DecryptError{Name: name, Reason: "the sealed value is truncated"}
	}
	id := string(rest[2 : 2+idLen])
	aead, ok := s.aeads[id]
	if !ok {
		return nil, &DecryptError{KeyID: id, Name: name, Reason: "no key with this ID is configured; add it as a previous key"}
	}
	header := len(sealMagic) + 2 + idLen
	nonce := b[header : header+nonceSize]
	aad := append(append([]byte(nil), b[:header]...), where...)
	plain, err := aead.Open(nil, nonce, b[header+nonceSize:], aad)
	if err != nil {
		return nil, &DecryptError{KeyID: id, Name: name, Reason: "authentication failed: the value was altered, moved from another name, or sealed with another key of this ID"}
	}
	return plain, nil
}
