package custom

import "fmt"

// Limits bound the work ParseContext does on one upload, so that no upload
// can hold a CPU or the memory hostage. A zero field means its default
// (the Default constants); there is no way to lift a limit, only to set a
// larger value. With the defaults every upload is accepted or refused in
// well under 100 ms on one core (see BenchmarkHostileCorpus).
type Limits struct {
	// MaxSize caps the total bytes of Certificate, PrivateKey, Chain,
	// PKCS12 and Password; it is checked before anything is parsed
	// (ErrInputTooLarge). A full chain with its key is a few KiB.
	MaxSize int
	// MaxCertificates caps the certificates in the upload, duplicates
	// included (ErrTooManyCertificates).
	MaxCertificates int
	// MaxKeys caps the private keys in the upload (ErrTooManyKeys).
	MaxKeys int
	// MaxChainLength caps the assembled chain, leaf included, root
	// excluded (ErrChainTooLong). Real chains have 2 to 4 certificates.
	MaxChainLength int
	// MaxPKCS12Iterations caps the key-derivation work of a PKCS#12
	// file: the sum of the iteration counts of every derivation it needs
	// (its MAC, each encrypted part, each encrypted key), a count being
	// charged once per hash output block, three times for SHA-384 and
	// SHA-512 (ErrPKCS12TooExpensive). OpenSSL 3 exports need about 6,000
	// and Java's about 30,000; the default costs at most about 60 ms.
	MaxPKCS12Iterations int
}

// Defaults of Limits.
const (
	DefaultMaxSize             = 1 << 20 // 1 MiB
	DefaultMaxCertificates     = 50
	DefaultMaxKeys             = 8
	DefaultMaxChainLength      = 10
	DefaultMaxPKCS12Iterations = 300_000
)

// MaxRSABits is the largest RSA key accepted in a certificate or private
// key (ErrUnsupportedKeyType). TLS clients such as Go's refuse larger
// keys, and checking a signature with one can take seconds.
const MaxRSABits = 8192

// withDefaults fills the zero (or negative) fields.
func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxSize, DefaultMaxSize)
	def(&l.MaxCertificates, DefaultMaxCertificates)
	def(&l.MaxKeys, DefaultMaxKeys)
	def(&l.MaxChainLength, DefaultMaxChainLength)
	def(&l.MaxPKCS12Iterations, DefaultMaxPKCS12Iterations)
	return l
}

// checkSize refuses an input over l.MaxSize.
func (l Limits) checkSize(in Input) error {
	n := len(in.Certificate) + len(in.PrivateKey) + len(in.Chain) + len(in.PKCS12) + len(in.Password)
	if n <= l.MaxSize {
		return nil
	}
	return fmt.Errorf("%w: the upload is %d bytes, more than the %d accepted; upload only the certificate, its intermediates and its private key (together a few KiB)",
		ErrInputTooLarge, n, l.MaxSize)
}
