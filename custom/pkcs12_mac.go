package custom

import (
	"crypto/hmac"
	"crypto/subtle"
	"math/big"
)

// verifyMAC checks the integrity of the authenticated safe, which proves
// the password. A file without MAC is read as is (openssl -nomac). As
// OpenSSL does, an empty password is tried both as an empty BMPString and
// as no password at all.
func (d *p12) verifyMAC(m *macData, content []byte) error {
	if len(m.Mac.Algorithm.Algorithm) == 0 {
		return nil
	}
	ok, err := d.checkMAC(m, content, d.bmp)
	pbmac1 := m.Mac.Algorithm.Algorithm.Equal(oidPBMAC1) // its password is UTF-8: no second form
	if err == nil && !ok && d.utf8 == "" && !pbmac1 {
		if ok, err = d.checkMAC(m, content, nil); ok {
			d.bmp = nil
		}
	}
	if err != nil {
		return err
	}
	if !ok {
		return wrongPassword(d.utf8)
	}
	return nil
}

// checkMAC computes the MAC with the password bmp.
func (d *p12) checkMAC(m *macData, content, bmp []byte) (bool, error) {
	alg := m.Mac.Algorithm
	var key []byte
	var h hashSpec
	if alg.Algorithm.Equal(oidPBMAC1) {
		var params pbes2Params
		if err := unmarshalDER(alg.Parameters.FullBytes, &params); err != nil {
			return false, notPKCS12(err)
		}
		var ok bool
		if h, ok = hmacHashes[params.Other.Algorithm.String()]; !ok {
			return false, unsupportedAlgorithm("MAC", params.Other.Algorithm)
		}
		var err error
		if key, err = d.pbkdf2(params.KDF, 0, "the MAC"); err != nil {
			return false, err
		}
	} else {
		var ok bool
		if h, ok = digestHashes[alg.Algorithm.String()]; !ok {
			return false, unsupportedAlgorithm("MAC", alg.Algorithm)
		}
		iter := m.Iterations
		if iter == nil {
			iter = big.NewInt(1)
		}
		n, err := d.charge(iter, 1, h, "the MAC")
		if err != nil {
			return false, err
		}
		key = pkcs12KDF(h.new, bmp, m.MacSalt, 3, n, h.new().Size())
	}
	mac := hmac.New(h.new, key)
	mac.Write(content)
	return subtle.ConstantTimeCompare(mac.Sum(nil), m.Mac.Digest) == 1, nil
}
