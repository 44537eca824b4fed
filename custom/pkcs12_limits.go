package custom

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// Key-derivation limits for PKCS#12 files. OpenSSL, Windows and Java use
// 2,048 to 10,000 iterations (about 1.2 µs each here); a crafted file could
// ask for 2^63 and keep a CPU busy forever, and go-pkcs12 applies no limit.
const (
	maxPKCS12Iterations      = 1_000_000
	maxPKCS12TotalIterations = 2_500_000
)

// checkPKCS12Iterations rejects a PFX whose iteration counts exceed the
// limits, before go-pkcs12 runs the key derivations. It reads the same
// structures go-pkcs12 does: the MAC (classic or PBMAC1), the encryption
// parameters of each encryptedData, and those of shrouded key bags in
// plain data. A key bag nested inside encryptedData is only visible after
// decryption and is not checked. Input it cannot read is left for the
// decoder to report.
func checkPKCS12Iterations(der []byte) error {
	return iterationLimits{each: maxPKCS12Iterations, total: maxPKCS12TotalIterations}.check(der)
}

// iterationLimits bound one iteration count and their sum.
type iterationLimits struct{ each, total int }

// Structures of PKCS#12 (RFC 7292) and PKCS#5 (RFC 8018), with big
// integers for the counts so that absurd values are seen, not rejected.
type (
	p12PFX struct {
		Version  int
		AuthSafe p12ContentInfo
		MacData  p12MacData `asn1:"optional"`
	}
	p12ContentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
	}
	p12MacData struct {
		Mac struct {
			Algorithm pkix.AlgorithmIdentifier
			Digest    []byte
		}
		MacSalt    []byte
		Iterations *big.Int `asn1:"optional"`
	}
	p12EncryptedData struct {
		Version              int
		EncryptedContentInfo struct {
			ContentType                asn1.ObjectIdentifier
			ContentEncryptionAlgorithm pkix.AlgorithmIdentifier
			EncryptedContent           []byte `asn1:"tag:0,optional"`
		}
	}
	p12SafeBag struct {
		ID         asn1.ObjectIdentifier
		Value      asn1.RawValue `asn1:"tag:0,explicit"`
		Attributes asn1.RawValue `asn1:"optional"`
	}
	p12EncryptedKey struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
	p12PBEParams struct {
		Salt       []byte
		Iterations *big.Int
	}
	p12PBES2Params struct { // PBES2-params and PBMAC1-params: KDF first
		KDF   pkix.AlgorithmIdentifier
		Other pkix.AlgorithmIdentifier
	}
	p12PBKDF2Params struct {
		Salt       asn1.RawValue
		Iterations *big.Int
		Rest       asn1.RawContent `asn1:"optional"`
	}
)

var (
	oidData            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidShroudedKeyBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidPBES2           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBMAC1          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	oidPKCS12PBEPrefix = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
)

// budget counts iterations against the limits.
type budget struct {
	limits iterationLimits
	spent  int
}

func (b *budget) add(n *big.Int) error {
	if n == nil {
		return nil
	}
	if n.Cmp(big.NewInt(int64(b.limits.each))) > 0 {
		return fmt.Errorf("%w: the PKCS#12 file asks for %s key-derivation iterations (at most %d are accepted); export it again with default settings",
			ErrUnsupportedFormat, shortNumber(n), b.limits.each)
	}
	if n.Sign() > 0 {
		b.spent += int(n.Int64())
	}
	if b.spent > b.limits.total {
		return fmt.Errorf("%w: the PKCS#12 file asks for more than %d key-derivation iterations in all; export it again with default settings",
			ErrUnsupportedFormat, b.limits.total)
	}
	return nil
}

func (l iterationLimits) check(der []byte) error {
	var pfx p12PFX
	if _, err := asn1.Unmarshal(der, &pfx); err != nil {
		return nil
	}
	b := &budget{limits: l}
	if pfx.MacData.Mac.Algorithm.Algorithm.Equal(oidPBMAC1) {
		if err := b.addAlgorithm(pfx.MacData.Mac.Algorithm); err != nil {
			return err
		}
	} else if err := b.add(pfx.MacData.Iterations); err != nil {
		return err
	}
	var safe []byte
	if _, err := asn1.Unmarshal(pfx.AuthSafe.Content.Bytes, &safe); err != nil {
		return nil
	}
	var infos []p12ContentInfo
	if _, err := asn1.Unmarshal(safe, &infos); err != nil {
		return nil
	}
	for _, ci := range infos {
		if err := b.addContentInfo(ci); err != nil {
			return err
		}
	}
	return nil
}

// addContentInfo counts the iterations of one element of the
// authenticated safe.
func (b *budget) addContentInfo(ci p12ContentInfo) error {
	switch {
	case ci.ContentType.Equal(oidEncryptedData):
		var ed p12EncryptedData
		if _, err := asn1.Unmarshal(ci.Content.Bytes, &ed); err != nil {
			return nil
		}
		return b.addAlgorithm(ed.EncryptedContentInfo.ContentEncryptionAlgorithm)
	case ci.ContentType.Equal(oidData):
		var data []byte
		var bags []p12SafeBag
		if _, err := asn1.Unmarshal(ci.Content.Bytes, &data); err != nil {
			return nil
		}
		if _, err := asn1.Unmarshal(data, &bags); err != nil {
			return nil
		}
		for _, bag := range bags {
			var key p12EncryptedKey
			if !bag.ID.Equal(oidShroudedKeyBag) {
				continue
			}
			if _, err := asn1.Unmarshal(bag.Value.Bytes, &key); err != nil {
				continue
			}
			if err := b.addAlgorithm(key.Algorithm); err != nil {
				return err
			}
		}
	}
	return nil
}

// addAlgorithm counts the iterations of a PKCS#12 PBE, PBES2 or PBMAC1
// algorithm identifier.
func (b *budget) addAlgorithm(alg pkix.AlgorithmIdentifier) error {
	oid := alg.Algorithm
	switch {
	case oid.Equal(oidPBES2), oid.Equal(oidPBMAC1):
		var p p12PBES2Params
		var kdf p12PBKDF2Params
		if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil {
			return nil
		}
		if _, err := asn1.Unmarshal(p.KDF.Parameters.FullBytes, &kdf); err != nil {
			return nil
		}
		return b.add(kdf.Iterations)
	case len(oid) == len(oidPKCS12PBEPrefix)+1 && oid[:len(oidPKCS12PBEPrefix)].Equal(oidPKCS12PBEPrefix):
		var p p12PBEParams
		if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil {
			return nil
		}
		return b.add(p.Iterations)
	}
	return nil
}

// shortNumber prints n, or "more than 10^18" when it is huge.
func shortNumber(n *big.Int) string {
	if n.BitLen() > 60 {
		return "more than 10^18"
	}
	return n.String()
}
