package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"
	"testing"
)

// keyFiles holds the pre-generated RSA pool (openssl genpkey, PKCS#8). These
// keys are public test fixtures and protect nothing.
//
//go:embed keys/*.pem
var keyFiles embed.FS

// PoolSize is the number of pre-generated RSA keys per size.
const PoolSize = 4

// RSAKey returns key i (modulo PoolSize) of the embedded pool for bits 1024,
// 2048 or 4096. The same (bits, i) always returns the same key.
func RSAKey(tb testing.TB, bits, i int) *rsa.PrivateKey {
	tb.Helper()
	switch bits {
	case 1024, 2048, 4096:
	default:
		tb.Fatalf("testpki: no pooled RSA keys of %d bits (have 1024, 2048, 4096)", bits)
	}
	name := fmt.Sprintf("keys/rsa%d-%d.pem", bits, ((i%PoolSize)+PoolSize)%PoolSize)
	data, err := keyFiles.ReadFile(name)
	if err != nil {
		tb.Fatalf("testpki: read %s: %v", name, err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		tb.Fatalf("testpki: %s: no PEM block", name)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatalf("testpki: parse %s: %v", name, err)
	}
	return key.(*rsa.PrivateKey)
}

// NewKey returns a key of type kt: a fresh ECDSA, Ed25519 or RSA-512 key, or
// the first pooled RSA key of the size (use RSAKey or (*CA).NewKey to get
// distinct RSA keys).
func NewKey(tb testing.TB, kt KeyType) crypto.Signer {
	tb.Helper()
	return newKey(tb, kt, 0)
}

func newKey(tb testing.TB, kt KeyType, rsaIndex int) crypto.Signer {
	tb.Helper()
	var (
		key crypto.Signer
		err error
	)
	switch kt {
	case ECDSAP256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case Ed25519:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case RSA512:
		key, err = weakRSAKey(512)
	case RSA1024:
		key = RSAKey(tb, 1024, rsaIndex)
	case RSA2048:
		key = RSAKey(tb, 2048, rsaIndex)
	case RSA4096:
		key = RSAKey(tb, 4096, rsaIndex)
	default:
		tb.Fatalf("testpki: unknown key type %d", kt)
	}
	if err != nil {
		tb.Fatalf("testpki: generate %s key: %v", kt, err)
	}
	return key
}

// weakRSAKey builds an RSA key of the given size from two primes, bypassing
// rsa.GenerateKey's refusal of keys under 1024 bits.
func weakRSAKey(bits int) (*rsa.PrivateKey, error) {
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, err := rand.Prime(rand.Reader, bits/2)
		if err != nil {
			return nil, err
		}
		q, err := rand.Prime(rand.Reader, bits-bits/2)
		if err != nil {
			return nil, err
		}
		n := new(big.Int).Mul(p, q)
		if p.Cmp(q) == 0 || n.BitLen() != bits {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		key := &rsa.PrivateKey{
			PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())},
			D:         d,
			Primes:    []*big.Int{p, q},
		}
		key.Precompute()
		return key, nil
	}
}

// keyCounter hands out pooled RSA keys round-robin within one hierarchy.
type keyCounter struct {
	mu   sync.Mutex
	next map[KeyType]int
}

func (c *keyCounter) take(kt KeyType) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		c.next = make(map[KeyType]int)
	}
	i := c.next[kt]
	c.next[kt] = i + 1
	return i
}
