package custom

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"
	"math/big"
)

// PKCS#5 (RFC 8018) structures and identifiers.
type (
	pbeParams struct { // PKCS#12 PBE (RFC 7292, appendix C)
		Salt       []byte
		Iterations *big.Int
	}
	pbes2Params struct { // PBES2-params and PBMAC1-params: the KDF first
		KDF   pkix.AlgorithmIdentifier
		Other pkix.AlgorithmIdentifier
	}
	pbkdf2Params struct {
		Salt       asn1.RawValue
		Iterations *big.Int
		KeyLength  int                      `asn1:"optional"`
		PRF        pkix.AlgorithmIdentifier `asn1:"optional"` // absent: HMAC-SHA-1
	}
)

var (
	oidPBES2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBMAC1    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	oidPBKDF2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidPKCS12PBE = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
	oidDESEDE3   = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	oidAESCBC    = map[string]int{"2.16.840.1.101.3.4.1.2": 16, "2.16.840.1.101.3.4.1.22": 24, "2.16.840.1.101.3.4.1.42": 32}
)

// p12 is one PKCS#12 decoding: the password in both encodings and the
// key-derivation budget.
type p12 struct {
	p    *parser
	utf8 string // for PBES2 and PBMAC1
	bmp  []byte // BMPString for PKCS#12 PBE and MAC; nil after the empty-password fallback
}

func newP12(p *parser, password string) (*p12, error) {
	bmp, ok := bmpString(password)
	if !ok {
		return nil, fmt.Errorf("%w: the password holds characters outside Unicode's Basic Multilingual Plane (such as emoji), which PKCS#12 cannot encode; export the file again with another password",
			ErrBadPassword)
	}
	return &p12{p: p, utf8: password, bmp: bmp}, nil
}

// charge pays for a key derivation of iter iterations producing blocks
// hash blocks, weighted by the hash, before it runs; it returns the
// count.
func (d *p12) charge(iter *big.Int, blocks int, h hashSpec, what string) (int, error) {
	if err := d.p.alive(); err != nil {
		return 0, err
	}
	max := d.p.lim.MaxPKCS12Iterations
	if iter == nil || iter.Sign() <= 0 {
		return 0, notPKCS12(fmt.Errorf("%s: iteration count is not positive", what))
	}
	if !iter.IsInt64() || iter.Int64() > int64(max) {
		return 0, fmt.Errorf("%w: the PKCS#12 file asks for %s key-derivation iterations for %s (at most %d are accepted); export it again with default settings",
			ErrPKCS12TooExpensive, shortNumber(iter), what, max)
	}
	n := int(iter.Int64())
	if n > (max-d.p.kdfWork)/(blocks*h.weight) {
		return 0, fmt.Errorf("%w: the PKCS#12 file asks for more than %d key-derivation iterations in all; export it again with default settings",
			ErrPKCS12TooExpensive, max)
	}
	d.p.kdfWork += n * blocks * h.weight
	return n, nil
}

// shortNumber prints n, or "more than 10^18" when it is huge.
func shortNumber(n *big.Int) string {
	if n.BitLen() > 60 {
		return "more than 10^18"
	}
	return n.String()
}

// decrypt decrypts data encrypted with alg (PKCS#12 PBE or PBES2) and
// removes its padding; what names the data for messages.
func (d *p12) decrypt(alg pkix.AlgorithmIdentifier, data []byte, what string) ([]byte, error) {
	block, iv, err := d.cipherFor(alg, what)
	if err != nil {
		return nil, err
	}
	bs := block.BlockSize()
	if len(data) == 0 || len(data)%bs != 0 || len(iv) != bs {
		return nil, notPKCS12(fmt.Errorf("%s: bad ciphertext or IV length", what))
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > bs {
		return nil, wrongPassword(d.utf8)
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, wrongPassword(d.utf8)
		}
	}
	return out[:len(out)-pad], nil
}

// cipherFor derives the cipher and IV of alg from the password.
func (d *p12) cipherFor(alg pkix.AlgorithmIdentifier, what string) (cipher.Block, []byte, error) {
	oid := alg.Algorithm
	if oid.Equal(oidPBES2) {
		return d.pbes2Cipher(alg, what)
	}
	if len(oid) != len(oidPKCS12PBE)+1 || !oid[:len(oidPKCS12PBE)].Equal(oidPKCS12PBE) {
		return nil, nil, unsupportedAlgorithm("encryption", oid)
	}
	keyLen, newBlock := 0, func(k []byte) (cipher.Block, error) { return des.NewTripleDESCipher(k) }
	switch oid[len(oid)-1] {
	case 3: // pbeWithSHAAnd3-KeyTripleDES-CBC
		keyLen = 24
	case 5, 6: // pbeWithSHAAnd128BitRC2-CBC, pbeWithSHAAnd40BitRC2-CBC
		keyLen, newBlock = 16, newRC2
		if oid[len(oid)-1] == 6 {
			keyLen = 5
		}
	default:
		return nil, nil, unsupportedAlgorithm("encryption", oid)
	}
	var params pbeParams
	if err := unmarshalDER(alg.Parameters.FullBytes, &params); err != nil {
		return nil, nil, notPKCS12(err)
	}
	sha1 := digestHashes["1.3.14.3.2.26"]
	n, err := d.charge(params.Iterations, (keyLen+19)/20+1, sha1, what)
	if err != nil {
		return nil, nil, err
	}
	block, err := newBlock(pkcs12KDF(sha1.new, d.bmp, params.Salt, 1, n, keyLen))
	if err != nil {
		return nil, nil, notPKCS12(err)
	}
	return block, pkcs12KDF(sha1.new, d.bmp, params.Salt, 2, n, 8), nil
}

// pbes2Cipher derives a PBES2 (PBKDF2 with AES-CBC or 3DES-CBC) cipher.
func (d *p12) pbes2Cipher(alg pkix.AlgorithmIdentifier, what string) (cipher.Block, []byte, error) {
	var params pbes2Params
	if err := unmarshalDER(alg.Parameters.FullBytes, &params); err != nil {
		return nil, nil, notPKCS12(err)
	}
	var iv []byte
	if rest, err := asn1.Unmarshal(params.Other.Parameters.FullBytes, &iv); err != nil || len(rest) > 0 {
		return nil, nil, notPKCS12(fmt.Errorf("%s: bad IV", what))
	}
	scheme := params.Other.Algorithm
	keyLen, isAES := oidAESCBC[scheme.String()]
	if !isAES && !scheme.Equal(oidDESEDE3) {
		return nil, nil, unsupportedAlgorithm("encryption", scheme)
	}
	if !isAES {
		keyLen = 24
	}
	key, err := d.pbkdf2(params.KDF, keyLen, what)
	if err != nil {
		return nil, nil, err
	}
	var block cipher.Block
	if isAES {
		block, err = aes.NewCipher(key)
	} else {
		block, err = des.NewTripleDESCipher(key)
	}
	if err != nil {
		return nil, nil, notPKCS12(err)
	}
	return block, iv, nil
}

// pbkdf2 derives a key with the PBKDF2 algorithm identifier kdf. keyLen is
// the cipher's key size, or 0 for PBMAC1, whose parameters must give it.
func (d *p12) pbkdf2(kdf pkix.AlgorithmIdentifier, keyLen int, what string) ([]byte, error) {
	if !kdf.Algorithm.Equal(oidPBKDF2) {
		return nil, unsupportedAlgorithm("key derivation", kdf.Algorithm)
	}
	var params pbkdf2Params
	if err := unmarshalDER(kdf.Parameters.FullBytes, &params); err != nil {
		return nil, notPKCS12(err)
	}
	if params.Salt.Class != asn1.ClassUniversal || params.Salt.Tag != asn1.TagOctetString || params.Salt.IsCompound {
		return nil, fmt.Errorf("%w: the PKCS#12 file uses a PBKDF2 salt that is not an OCTET STRING; %s", ErrUnsupportedFormat, pkcs12ConvertAdvice)
	}
	h := hmacHashes["1.2.840.113549.2.7"] // HMAC-SHA-1, the default
	if len(params.PRF.Algorithm) > 0 {
		var ok bool
		if h, ok = hmacHashes[params.PRF.Algorithm.String()]; !ok {
			return nil, unsupportedAlgorithm("key derivation", params.PRF.Algorithm)
		}
	}
	switch {
	case keyLen == 0 && (params.KeyLength < 20 || params.KeyLength > 64):
		return nil, notPKCS12(fmt.Errorf("%s: PBMAC1 key length %d", what, params.KeyLength))
	case keyLen == 0:
		keyLen = params.KeyLength
	case params.KeyLength != 0 && params.KeyLength != keyLen:
		return nil, notPKCS12(fmt.Errorf("%s: PBKDF2 key length %d for a %d-byte key", what, params.KeyLength, keyLen))
	}
	size := h.new().Size()
	n, err := d.charge(params.Iterations, (keyLen+size-1)/size, h, what)
	if err != nil {
		return nil, err
	}
	key, err := pbkdf2.Key(h.new, d.utf8, params.Salt.Bytes, n, keyLen)
	if err != nil {
		return nil, notPKCS12(err)
	}
	return key, nil
}

func unsupportedAlgorithm(kind string, oid asn1.ObjectIdentifier) error {
	return fmt.Errorf("%w: the PKCS#12 file uses the %s algorithm %s, which is not supported; %s",
		ErrUnsupportedFormat, kind, quoteShort(oid.String()), pkcs12ConvertAdvice)
}

func wrongPassword(password string) error {
	if password == "" {
		return fmt.Errorf("%w: the PKCS#12 file is protected by a password; enter the password that was set when it was exported", ErrBadPassword)
	}
	return fmt.Errorf("%w: the password does not open this PKCS#12 file; enter the password that was set when it was exported", ErrBadPassword)
}

// hashSpec is a hash usable by PKCS#12; weight is its cost per iteration
// relative to SHA-1 and SHA-256.
type hashSpec struct {
	new    func() hash.Hash
	weight int
}
