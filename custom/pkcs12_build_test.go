package custom

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"hash"
	"math/big"
	"testing"
)

// Hand-built PKCS#12 files for hostile-input tests: every count and
// layout is chosen by the test. Encryption is PBES2 with PBKDF2-HMAC-
// SHA-256 and AES-256-CBC, and the MAC is PBMAC1, both from the standard
// library only, so these files do not depend on the decoder under test.

const huge = 1 << 62 // the iteration count of the 630-byte file

var (
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidPBE3DES    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidSHA256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

func mustMarshal(tb testing.TB, v any) []byte {
	tb.Helper()
	der, err := asn1.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

func rawDER(der []byte) asn1.RawValue { return asn1.RawValue{FullBytes: der} }

// prf is the HMAC of a PBKDF2 derivation.
type prf struct {
	oid asn1.ObjectIdentifier
	new func() hash.Hash
}

var (
	hmacSHA1   = prf{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}, sha1.New}
	hmacSHA256 = prf{oidHMACSHA256, sha256.New}
	hmacSHA512 = prf{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}, sha512.New}
)

// pbkdf2Alg is a PBKDF2-HMAC-SHA-256 identifier with iter iterations.
func pbkdf2Alg(tb testing.TB, iter *big.Int, keyLen int) pkix.AlgorithmIdentifier {
	return pbkdf2AlgWith(tb, hmacSHA256, iter, keyLen)
}

func pbkdf2AlgWith(tb testing.TB, h prf, iter *big.Int, keyLen int) pkix.AlgorithmIdentifier {
	params := struct {
		Salt       []byte
		Iterations *big.Int
		KeyLength  int `asn1:"optional"`
		PRF        pkix.AlgorithmIdentifier
	}{[]byte("saltsaltsaltsalt"), iter, keyLen, pkix.AlgorithmIdentifier{Algorithm: h.oid, Parameters: asn1.NullRawValue}}
	return pkix.AlgorithmIdentifier{Algorithm: oidPBKDF2, Parameters: rawDER(mustMarshal(tb, params))}
}

// pbes2Encrypt encrypts plain with password; huge counts only build the
// identifier (the ciphertext is then junk: it must never be decrypted).
func pbes2Encrypt(tb testing.TB, password string, iter *big.Int, plain []byte) (pkix.AlgorithmIdentifier, []byte) {
	return pbes2EncryptWith(tb, hmacSHA256, password, iter, plain)
}

func pbes2EncryptWith(tb testing.TB, h prf, password string, iter *big.Int, plain []byte) (pkix.AlgorithmIdentifier, []byte) {
	tb.Helper()
	iv := []byte("0123456789abcdef")
	params := pbes2Params{KDF: pbkdf2AlgWith(tb, h, iter, 0), Other: pkix.AlgorithmIdentifier{Algorithm: oidAES256CBC, Parameters: rawDER(mustMarshal(tb, iv))}}
	alg := pkix.AlgorithmIdentifier{Algorithm: oidPBES2, Parameters: rawDER(mustMarshal(tb, params))}
	if !iter.IsInt64() || iter.Int64() > 1_000_000 {
		return alg, make([]byte, 32)
	}
	key, err := pbkdf2.Key(h.new, password, []byte("saltsaltsaltsalt"), int(iter.Int64()), 32)
	if err != nil {
		tb.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	pad := 16 - len(plain)%16
	out := append(append([]byte{}, plain...), make([]byte, pad)...)
	for i := len(plain); i < len(out); i++ {
		out[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, out)
	return alg, out
}

// pbe3DESAlg is a PKCS#12 PBE identifier (never used to encrypt here).
func pbe3DESAlg(tb testing.TB, iter *big.Int) pkix.AlgorithmIdentifier {
	return pkix.AlgorithmIdentifier{Algorithm: oidPBE3DES, Parameters: rawDER(mustMarshal(tb, pbeParams{Salt: []byte("12345678"), Iterations: iter}))}
}

func bag(tb testing.TB, id asn1.ObjectIdentifier, value []byte) safeBag {
	return safeBag{ID: id, Value: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: value}}
}

func certBagOf(tb testing.TB, c *x509.Certificate) safeBag {
	return bag(tb, oidCertBag, mustMarshal(tb, certBag{ID: oidX509Certificate, Data: c.Raw}))
}

func keyBagOf(tb testing.TB, k crypto.Signer) safeBag {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	return bag(tb, oidKeyBag, der)
}

func shroudedBag(tb testing.TB, alg pkix.AlgorithmIdentifier, ct []byte) safeBag {
	return bag(tb, oidShroudedKeyBag, mustMarshal(tb, encryptedKeyInfo{Algorithm: alg, Data: ct}))
}

// shroudedKey encrypts k with PBES2 at iter iterations.
func shroudedKey(tb testing.TB, password string, iter *big.Int, k crypto.Signer) safeBag {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	alg, ct := pbes2Encrypt(tb, password, iter, der)
	return shroudedBag(tb, alg, ct)
}

func safeContents(tb testing.TB, bags ...safeBag) []byte { return mustMarshal(tb, bags) }

func explicit0(inner []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}
}

// dataSafe is a plain ContentInfo holding contents.
func dataSafe(tb testing.TB, contents []byte) contentInfo {
	return contentInfo{ContentType: oidData, Content: explicit0(mustMarshal(tb, contents))}
}

// berDataSafe wraps contents in a constructed OCTET STRING (BER).
func berDataSafe(tb testing.TB, contents []byte) contentInfo {
	octets := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagOctetString, IsCompound: true, Bytes: contents}
	return contentInfo{ContentType: oidData, Content: explicit0(mustMarshal(tb, octets))}
}

// encryptedSafe is an encryptedData ContentInfo.
func encryptedSafe(tb testing.TB, alg pkix.AlgorithmIdentifier, ct []byte) contentInfo {
	var ed encryptedData
	ed.Info.ContentType, ed.Info.Algorithm = oidData, alg
	ed.Info.Content = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: ct}
	return contentInfo{ContentType: oidEncryptedData, Content: explicit0(mustMarshal(tb, ed))}
}

// macSpec says how to protect a hand-built file: no MAC, a PBMAC1 MAC at
// pbmac1 iterations (computed when small), or a classic SHA-256 MAC
// claiming classic iterations (its digest is junk).
type macSpec struct{ pbmac1, classic *big.Int }

// buildPFX assembles a PFX from its safes; authSafe, when set, replaces
// the encoded authenticated safe (to test odd encodings of it).
func buildPFX(tb testing.TB, password string, mac macSpec, safes []contentInfo, authSafe *asn1.RawValue) []byte {
	tb.Helper()
	content := mustMarshal(tb, safes)
	wrapped := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagOctetString, Bytes: content}
	if authSafe != nil {
		wrapped = *authSafe
	}
	pfx := pfxPDU{Version: 3, AuthSafe: contentInfo{ContentType: oidData, Content: explicit0(mustMarshal(tb, wrapped))}}
	switch {
	case mac.pbmac1 != nil:
		alg := pkix.AlgorithmIdentifier{Algorithm: oidPBMAC1, Parameters: rawDER(mustMarshal(tb, pbes2Params{
			KDF: pbkdf2Alg(tb, mac.pbmac1, 32), Other: pkix.AlgorithmIdentifier{Algorithm: oidHMACSHA256, Parameters: asn1.NullRawValue}}))}
		pfx.MacData.Mac.Algorithm, pfx.MacData.MacSalt, pfx.MacData.Iterations = alg, []byte("unused"), big.NewInt(1)
		pfx.MacData.Mac.Digest = make([]byte, 32)
		if mac.pbmac1.IsInt64() && mac.pbmac1.Int64() <= 1_000_000 {
			key, _ := pbkdf2.Key(sha256.New, password, []byte("saltsaltsaltsalt"), int(mac.pbmac1.Int64()), 32)
			h := hmac.New(sha256.New, key)
			h.Write(wrapped.Bytes)
			pfx.MacData.Mac.Digest = h.Sum(nil)
		}
	case mac.classic != nil:
		pfx.MacData.Mac.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
		pfx.MacData.Mac.Digest, pfx.MacData.MacSalt, pfx.MacData.Iterations = make([]byte, 32), []byte("saltsalt"), mac.classic
	}
	return mustMarshal(tb, pfx)
}
