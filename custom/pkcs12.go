package custom

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// PKCS#12 (RFC 7292) structures, read with big integers for the counts so
// that absurd values are seen and refused, not wrapped.
type (
	pfxPDU struct {
		Version  int
		AuthSafe contentInfo
		MacData  macData `asn1:"optional"`
	}
	contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
	}
	macData struct {
		Mac struct {
			Algorithm pkix.AlgorithmIdentifier
			Digest    []byte
		}
		MacSalt    []byte
		Iterations *big.Int `asn1:"optional"` // absent means 1
	}
	encryptedData struct {
		Version int
		Info    struct {
			ContentType asn1.ObjectIdentifier
			Algorithm   pkix.AlgorithmIdentifier
			Content     asn1.RawValue `asn1:"optional"` // [0] IMPLICIT OCTET STRING
		}
	}
	safeBag struct {
		ID         asn1.ObjectIdentifier
		Value      asn1.RawValue `asn1:"tag:0,explicit"`
		Attributes asn1.RawValue `asn1:"optional"`
	}
	certBag struct {
		ID   asn1.ObjectIdentifier
		Data []byte `asn1:"tag:0,explicit"`
	}
	encryptedKeyInfo struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
)

var (
	oidData             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidX509Certificate  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	pkcs12ConvertAdvice = "convert it with `openssl pkcs12 -in in.pfx -nodes -out all.pem` and upload the PEM certificate and key"
)

// decodePKCS12 opens a .pfx/.p12 bundle: legacy (RC2, 3DES) and modern
// (PBES2 with AES, OpenSSL 3's default) encryption, a classic or PBMAC1
// MAC, keys in key bags or encrypted ("shrouded") key bags, in plain or
// encrypted parts. Every key derivation is charged to the
// MaxPKCS12Iterations budget before it runs, and anything that cannot be
// read is refused rather than skipped.
func (p *parser) decodePKCS12(data []byte, password string) (*decoded, error) {
	if bytes.Contains(data, pemBegin) {
		return nil, fmt.Errorf("%w: pkcs12: the PKCS#12 upload holds PEM text; upload PEM files as the certificate and private key instead",
			ErrUnsupportedFormat)
	}
	var pfx pfxPDU
	if err := unmarshalDER(data, &pfx); err != nil {
		return nil, notPKCS12(err)
	}
	if pfx.Version != 3 {
		return nil, fmt.Errorf("%w: the PKCS#12 file has version %d, only version 3 is read; %s", ErrUnsupportedFormat, pfx.Version, pkcs12ConvertAdvice)
	}
	if !pfx.AuthSafe.ContentType.Equal(oidData) {
		return nil, fmt.Errorf("%w: the PKCS#12 file is signed with a certificate instead of protected by a password; %s", ErrUnsupportedFormat, pkcs12ConvertAdvice)
	}
	authSafe, err := octetString(pfx.AuthSafe.Content.Bytes)
	if err != nil {
		return nil, err
	}
	d, err := newP12(p, password)
	if err != nil {
		return nil, err
	}
	if err := d.verifyMAC(&pfx.MacData, authSafe); err != nil {
		return nil, err
	}
	var safes []contentInfo
	if err := unmarshalDER(authSafe, &safes); err != nil {
		return nil, notPKCS12(err)
	}
	out := &decoded{}
	for _, ci := range safes {
		if err := d.readSafe(out, ci); err != nil {
			return nil, err
		}
	}
	return out, pkcs12Complete(out)
}

// readSafe reads one part of the authenticated safe, decrypting it when
// it is encrypted, and adds its bags to out.
func (d *p12) readSafe(out *decoded, ci contentInfo) error {
	var contents []byte
	switch {
	case ci.ContentType.Equal(oidData):
		var err error
		if contents, err = octetString(ci.Content.Bytes); err != nil {
			return err
		}
	case ci.ContentType.Equal(oidEncryptedData):
		var ed encryptedData
		if err := unmarshalDER(ci.Content.Bytes, &ed); err != nil {
			return notPKCS12(err)
		}
		enc, err := implicitOctets(ed.Info.Content)
		if err != nil {
			return err
		}
		if contents, err = d.decrypt(ed.Info.Algorithm, enc, "an encrypted part"); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: the PKCS#12 file holds a part encrypted with a certificate (content type %s) instead of a password; %s",
			ErrUnsupportedFormat, quoteShort(ci.ContentType.String()), pkcs12ConvertAdvice)
	}
	var bags []safeBag
	if err := unmarshalDER(contents, &bags); err != nil {
		return notPKCS12(err)
	}
	for _, bag := range bags {
		if err := d.readBag(out, bag); err != nil {
			return err
		}
	}
	return nil
}

// readBag adds a certificate or key bag to out; other bags (CRLs,
// secrets, nested safes) are ignored.
func (d *p12) readBag(out *decoded, bag safeBag) error {
	switch {
	case bag.ID.Equal(oidCertBag):
		var cb certBag
		if err := unmarshalDER(bag.Value.Bytes, &cb); err != nil {
			return notPKCS12(err)
		}
		if !cb.ID.Equal(oidX509Certificate) {
			return fmt.Errorf("%w: the PKCS#12 file holds a certificate of type %s, not X.509; %s", ErrUnsupportedFormat, quoteShort(cb.ID.String()), pkcs12ConvertAdvice)
		}
		return d.p.addCert(out, "pkcs12", cb.Data)
	case bag.ID.Equal(oidKeyBag):
		return d.p.addKey(out, "pkcs12", bag.Value.Bytes)
	case bag.ID.Equal(oidShroudedKeyBag):
		if err := d.p.countKey("pkcs12"); err != nil {
			return err
		}
		var ek encryptedKeyInfo
		if err := unmarshalDER(bag.Value.Bytes, &ek); err != nil {
			return notPKCS12(err)
		}
		der, err := d.decrypt(ek.Algorithm, ek.Data, "the private key")
		if err != nil {
			return err
		}
		return keyInto(out, "pkcs12", der)
	}
	return nil
}

// pkcs12Complete requires a certificate and a key.
func pkcs12Complete(out *decoded) error {
	if len(out.certs) == 0 {
		return fmt.Errorf("%w: the PKCS#12 file holds no certificate; export it again including the certificate", ErrNoCertificate)
	}
	if len(out.keys) == 0 {
		return fmt.Errorf("%w: the PKCS#12 file holds no private key; export it again including the private key", ErrNoPrivateKey)
	}
	return nil
}

// unmarshalDER parses DER into v, refusing trailing data.
func unmarshalDER(der []byte, v any) error {
	rest, err := asn1.Unmarshal(der, v)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("%d bytes of trailing data", len(rest))
	}
	return err
}

// octetString reads a DER OCTET STRING. A constructed one (BER, which some
// tools write) is refused: encoding/asn1 reads DER only.
func octetString(der []byte) ([]byte, error) {
	var raw asn1.RawValue
	if err := unmarshalDER(der, &raw); err != nil {
		return nil, notPKCS12(err)
	}
	if raw.Class == asn1.ClassUniversal && raw.Tag == asn1.TagOctetString {
		if raw.IsCompound {
			return nil, berError()
		}
		return raw.Bytes, nil
	}
	return nil, notPKCS12(fmt.Errorf("an OCTET STRING was expected, found tag %d", raw.Tag))
}

// implicitOctets reads the [0] IMPLICIT OCTET STRING of encrypted content.
func implicitOctets(raw asn1.RawValue) ([]byte, error) {
	switch {
	case raw.Class != asn1.ClassContextSpecific || raw.Tag != 0:
		return nil, notPKCS12(fmt.Errorf("encrypted content missing"))
	case raw.IsCompound:
		return nil, berError()
	}
	return raw.Bytes, nil
}

func berError() error {
	return fmt.Errorf("%w: the PKCS#12 file is BER-encoded (constructed OCTET STRING), which is not read; %s", ErrUnsupportedFormat, pkcs12ConvertAdvice)
}

func notPKCS12(err error) error {
	return fmt.Errorf("%w: not a valid PKCS#12 (.pfx/.p12) file (%s); upload the file exactly as exported, or the PEM certificate and key instead",
		ErrUnsupportedFormat, shortErr(err))
}
