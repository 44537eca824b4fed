package custom

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/certs-dev/certs/internal/testpki"
)

// The hostile corpus for the encodings: PEM, PKCS#12 and ASN.1.

func corpusPEMInputs(tb testing.TB) []corpusInput {
	l := testpki.NewCA(tb).Intermediate(tb).Leaf(tb, []string{"a.test"}, testpki.LeafOptions{})
	chain, key := l.ChainPEM(), l.KeyPEM()
	room := DefaultMaxSize - len(chain) - len(key) - 100
	junk := make([]byte, room*7/10) // base64 with line breaks: 1.35 bytes a byte
	rand.Read(junk)
	params := []byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n")
	padded := strings.ReplaceAll(string(l.CertPEM()), "\n", strings.Repeat(" ", room/30)+"\n")
	in := func(cert []byte) Input { return Input{Certificate: cert, PrivateKey: key} }
	return []corpusInput{
		{"pem", "a 1 MiB CERTIFICATE block of junk", in(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: junk})), ErrInvalidPEM},
		{"pem", "13,000 EC PARAMETERS blocks before the chain (accepted)", in(cat(bytes.Repeat(params, room/len(params)), chain)), nil},
		{"pem", "80,000 BEGIN lines without END", in(bytes.Repeat([]byte("-----BEGIN CERTIFICATE-----\n"), room/28)), ErrInvalidPEM},
		{"pem", "a BEGIN line of 1 MiB", in(cat([]byte("-----BEGIN "), bytes.Repeat([]byte("A"), room), []byte("-----\n"))), ErrInvalidPEM},
		{"pem", "1 MiB of -----BEGIN", in(bytes.Repeat([]byte("-----BEGIN"), room/10)), ErrInvalidPEM},
		{"pem", "a certificate padded with 1 MiB of spaces (accepted)", in(cat([]byte(padded), l.IntermediatesPEM())), nil},
		{"pem", "a PEM file inside a CERTIFICATE block", in(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: bytes.Repeat(chain, room*7/10/len(chain))})), ErrInvalidPEM},
		{"pem", "1 MiB of escaped newlines", in(cat([]byte("-----BEGIN CERTIFICATE-----"), bytes.Repeat([]byte(`\n`), room/2), []byte("-----END CERTIFICATE-----"))), ErrInvalidPEM},
		{"pem", "1 MiB of one-character lines", in(cat([]byte("-----BEGIN CERTIFICATE-----"), bytes.Repeat([]byte("A\n"), room/2), []byte("-----END CERTIFICATE-----"))), ErrInvalidPEM},
	}
}

func corpusPKCS12Inputs(tb testing.TB) []corpusInput {
	l := testpki.NewCA(tb).Leaf(tb, []string{"a.test"}, testpki.LeafOptions{})
	const pw = "pw"
	b := func(n int64) *big.Int { return big.NewInt(n) }
	mac := macSpec{pbmac1: b(2048)}
	certs := dataSafe(tb, safeContents(tb, certBagOf(tb, l.Cert)))
	hostileKey := shroudedKey(tb, pw, b(huge), l.Key)
	encrypt := func(iter int64, bags ...safeBag) contentInfo {
		alg, ct := pbes2Encrypt(tb, pw, b(iter), safeContents(tb, bags...))
		return encryptedSafe(tb, alg, ct)
	}
	safeWith := func(h prf, iter int64) contentInfo {
		alg, ct := pbes2EncryptWith(tb, h, pw, b(iter), safeContents(tb, certBagOf(tb, l.Cert), keyBagOf(tb, l.Key)))
		return encryptedSafe(tb, alg, ct)
	}
	berAuthSafe := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagOctetString, IsCompound: true,
		Bytes: mustMarshal(tb, []contentInfo{certs, dataSafe(tb, safeContents(tb, hostileKey))})}
	hugeCount := new(big.Int).Lsh(big.NewInt(1), 8*(DefaultMaxSize-4096)-2)
	oneBag := certBagOf(tb, l.Cert)
	manyCerts := repeatBag(oneBag, (DefaultMaxSize-4096)/len(mustMarshal(tb, oneBag)))
	atBudget := buildPFX(tb, pw, macSpec{pbmac1: b(99_000)}, []contentInfo{encrypt(99_000, certBagOf(tb, l.Cert)), dataSafe(tb, safeContents(tb, shroudedKey(tb, pw, b(99_000), l.Key)))}, nil)
	part := encrypt(99_000, certBagOf(tb, l.Cert))
	pfx := func(name string, der []byte, password string, want error) corpusInput {
		return corpusInput{"pkcs12", name, Input{PKCS12: der, Password: password}, want}
	}
	return []corpusInput{
		pfx("MAC with 2^62 iterations", buildPFX(tb, pw, macSpec{classic: b(huge)}, []contentInfo{certs}, nil), pw, ErrPKCS12TooExpensive),
		pfx("PBMAC1 with 2^62 iterations", buildPFX(tb, pw, macSpec{pbmac1: b(huge)}, []contentInfo{certs}, nil), pw, ErrPKCS12TooExpensive),
		pfx("a 1 MiB iteration count", buildPFX(tb, pw, macSpec{classic: hugeCount}, []contentInfo{certs}, nil), pw, ErrPKCS12TooExpensive),
		pfx("encryptedData, PBES2 with 2^62 iterations", buildPFX(tb, pw, mac, []contentInfo{encrypt(huge)}, nil), pw, ErrPKCS12TooExpensive),
		pfx("encryptedData, PKCS#12 PBE with 2^62 iterations", buildPFX(tb, pw, mac, []contentInfo{encryptedSafe(tb, pbe3DESAlg(tb, b(huge)), make([]byte, 16))}, nil), pw, ErrPKCS12TooExpensive),
		pfx("shrouded key, PBES2 with 2^62 iterations", buildPFX(tb, pw, mac, []contentInfo{certs, dataSafe(tb, safeContents(tb, hostileKey))}, nil), pw, ErrPKCS12TooExpensive),
		pfx("shrouded key, PKCS#12 PBE with 2^62 iterations", buildPFX(tb, pw, mac, []contentInfo{certs, dataSafe(tb, safeContents(tb, shroudedBag(tb, pbe3DESAlg(tb, b(huge)), make([]byte, 16))))}, nil), pw, ErrPKCS12TooExpensive),
		pfx("shrouded key with 2^62 iterations inside encryptedData", buildPFX(tb, pw, mac, []contentInfo{certs, encrypt(2048, hostileKey)}, nil), pw, ErrPKCS12TooExpensive),
		pfx("BER authenticated safe around a 2^62 key", buildPFX(tb, pw, macSpec{}, nil, &berAuthSafe), pw, ErrUnsupportedFormat),
		pfx("BER safe around a 2^62 key", buildPFX(tb, pw, mac, []contentInfo{berDataSafe(tb, safeContents(tb, hostileKey))}, nil), pw, ErrUnsupportedFormat),
		pfx("four parts of 99,000 iterations", buildPFX(tb, pw, mac, []contentInfo{certs, part, part, part, part}, nil), pw, ErrPKCS12TooExpensive),
		pfx("2,000 certificate bags", buildPFX(tb, pw, mac, []contentInfo{dataSafe(tb, safeContents(tb, manyCerts...))}, nil), pw, ErrTooManyCertificates),
		pfx("3 x 99,000 iterations, wrong password", atBudget, "wrong", ErrBadPassword),
		pfx("3 x 99,000 iterations, a 1 MiB password", atBudget, strings.Repeat("p", DefaultMaxSize-len(atBudget)), ErrBadPassword),
		pfx("3 x 99,000 iterations of PBKDF2-SHA-256 (accepted)", atBudget, pw, nil),
		pfx("99,000 iterations of PBKDF2-SHA-512 (accepted)", buildPFX(tb, pw, macSpec{pbmac1: b(1000)}, []contentInfo{safeWith(hmacSHA512, 99_000)}, nil), pw, nil),
		pfx("149,000 iterations of PBKDF2-SHA-1 for AES-256 (accepted)", buildPFX(tb, pw, macSpec{pbmac1: b(1000)}, []contentInfo{safeWith(hmacSHA1, 149_000)}, nil), pw, nil),
	}
}

func corpusASN1Inputs(tb testing.TB) []corpusInput {
	l := testpki.NewCA(tb).Leaf(tb, []string{"a.test"}, testpki.LeafOptions{})
	key := l.KeyPEM()
	room := DefaultMaxSize - len(key) - 4096
	sans := make([]string, room/24)
	for i := range sans {
		sans[i] = fmt.Sprintf("h%d.a.test", i)
	}
	signer := newECKey(tb, elliptic.P256())
	manySANs := mint(tb, 1, "many.test", false, nil, sans, nil, signer.Public(), signer)
	bigExt := mintExt(tb, signer, bytes.Repeat([]byte{0x41}, room*7/10))
	ders := bytes.Repeat(l.Cert.Raw, room/len(l.Cert.Raw))
	signerKey := testpki.KeyPEMPKCS8(tb, signer)
	return []corpusInput{
		{"asn1", "1 MiB of nested SEQUENCEs", Input{Certificate: nestedSequences(room), PrivateKey: key}, ErrUnsupportedFormat},
		{"asn1", "1 MiB of nested SEQUENCEs as the key", Input{Certificate: l.CertPEM(), PrivateKey: nestedSequences(room)}, ErrUnsupportedFormat},
		{"asn1", "a certificate with 40,000 names (accepted)", Input{Certificate: testpki.CertsPEM(manySANs), PrivateKey: signerKey}, nil},
		{"asn1", "a certificate with a 700 KB extension (accepted)", Input{Certificate: testpki.CertsPEM(bigExt), PrivateKey: signerKey}, nil},
		{"asn1", "1 MiB of DER certificates", Input{Certificate: ders, PrivateKey: key}, ErrTooManyCertificates},
		{"asn1", "a PFX of nested SEQUENCEs", Input{PKCS12: nestedSequences(room)}, ErrUnsupportedFormat},
	}
}

// nestedSequences returns about size bytes of SEQUENCEs, each holding the
// next, around a NULL.
func nestedSequences(size int) []byte {
	n := size / 5
	out := make([]byte, 0, 5*n+2)
	for i := range n {
		l := 5*(n-1-i) + 2
		out = append(out, 0x30, 0x83, byte(l>>16), byte(l>>8), byte(l))
	}
	return append(out, 0x05, 0x00)
}

// mintExt is a self-signed server certificate with a large unknown
// extension.
func mintExt(tb testing.TB, signer crypto.Signer, value []byte) *x509.Certificate {
	tb.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ext.test"}, DNSNames: []string{"ext.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}, Value: value}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
