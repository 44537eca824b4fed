package custom

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"unicode/utf16"
)

// Hashes by the OID naming them as a MAC digest (PKCS#12 MAC) and as an
// HMAC (PBKDF2 PRF, PBMAC1). An iteration of SHA-384 or SHA-512 (128-byte
// blocks, 64-bit words) costs about three of SHA-1 or SHA-256 here, and
// weighs three in the iteration budget.
var (
	digestHashes = map[string]hashSpec{
		"1.3.14.3.2.26":          {sha1.New, 1},
		"2.16.840.1.101.3.4.2.4": {sha256.New224, 1},
		"2.16.840.1.101.3.4.2.1": {sha256.New, 1},
		"2.16.840.1.101.3.4.2.2": {sha512.New384, 3},
		"2.16.840.1.101.3.4.2.3": {sha512.New, 3},
	}
	hmacHashes = map[string]hashSpec{
		"1.2.840.113549.2.7":  {sha1.New, 1},
		"1.2.840.113549.2.8":  {sha256.New224, 1},
		"1.2.840.113549.2.9":  {sha256.New, 1},
		"1.2.840.113549.2.10": {sha512.New384, 3},
		"1.2.840.113549.2.11": {sha512.New, 3},
	}
)

// pkcs12KDF derives size bytes for purpose id (1 key, 2 IV, 3 MAC key)
// from a BMPString password and a salt with r iterations of h, as RFC 7292
// appendix B.2 specifies.
func pkcs12KDF(newHash func() hash.Hash, password, salt []byte, id byte, r, size int) []byte {
	h := newHash()
	u, v := h.Size(), h.BlockSize()
	D := make([]byte, v)
	for i := range D {
		D[i] = id
	}
	I := append(repeatTo(salt, v), repeatTo(password, v)...)
	out := make([]byte, 0, size+u)
	B := make([]byte, v)
	for {
		h.Reset()
		h.Write(D)
		h.Write(I)
		A := h.Sum(nil)
		for j := 1; j < r; j++ {
			h.Reset()
			h.Write(A)
			A = h.Sum(A[:0])
		}
		if out = append(out, A...); len(out) >= size {
			return out[:size]
		}
		for k := range B {
			B[k] = A[k%u]
		}
		for j := 0; j < len(I); j += v {
			addPlusOne(I[j:j+v], B)
		}
	}
}

// repeatTo concatenates copies of p to the next multiple of v bytes.
func repeatTo(p []byte, v int) []byte {
	if len(p) == 0 {
		return nil
	}
	out := make([]byte, v*((len(p)+v-1)/v))
	for i := range out {
		out[i] = p[i%len(p)]
	}
	return out
}

// addPlusOne sets x to x + b + 1 modulo 2^(8 len(x)), big-endian.
func addPlusOne(x, b []byte) {
	carry := 1
	for i := len(x) - 1; i >= 0; i-- {
		s := int(x[i]) + int(b[i]) + carry
		x[i], carry = byte(s), s>>8
	}
}

// bmpString encodes s as a NUL-terminated big-endian UTF-16 BMPString, the
// PKCS#12 password encoding; false when s has characters outside the
// Basic Multilingual Plane.
func bmpString(s string) ([]byte, bool) {
	out := make([]byte, 0, 2*len(s)+2)
	for _, r := range s {
		if r >= 0x10000 || utf16.IsSurrogate(r) {
			return nil, false
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return append(out, 0, 0), true
}
