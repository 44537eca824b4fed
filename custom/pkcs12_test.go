package custom

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/certs-dev/certs/internal/testpki"
	"github.com/stretchr/testify/require"
	"software.sslmate.com/src/go-pkcs12"
)

// TestPKCS12Interop reads what OpenSSL, Java and go-pkcs12 write, and
// finds the same key and certificates as go-pkcs12 does.
func TestPKCS12Interop(t *testing.T) {
	type file struct {
		name, password string
		der            []byte
	}
	files := []file{}
	for _, name := range []string{"leaf.pfx", "leaf-legacy.pfx", "leaf-aes128-sha512mac.pfx", "leaf-3des-sha1mac.pfx",
		"leaf-rc2-128.pfx", "leaf-pbes2-3des.pfx", "leaf-iter10000.pfx", "leaf-plain-certs.pfx", "leaf-nomac.pfx", "leaf-java.p12"} {
		files = append(files, file{name, pfxPass, fixture(t, name)})
	}
	files = append(files, file{"leaf-nopass.pfx", "", fixture(t, "leaf-nopass.pfx")}, file{"leaf-unencrypted.pfx", "", fixture(t, "leaf-unencrypted.pfx")})
	l := testpki.NewCA(t).Intermediate(t).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	for name, enc := range map[string]*pkcs12.Encoder{"LegacyRC2": pkcs12.LegacyRC2, "LegacyDES": pkcs12.LegacyDES,
		"Modern2023": pkcs12.Modern2023, "Modern2026": pkcs12.Modern2026} {
		for _, pw := range []string{"pw", "", "päßwörd €"} {
			der, err := enc.Encode(l.Key, l.Cert, l.Chain, pw)
			require.NoError(t, err)
			files = append(files, file{"go-pkcs12 " + name + " " + pw, pw, der})
		}
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			p := testParser()
			d, err := p.decodePKCS12(f.der, f.password)
			require.NoError(t, err)
			require.Len(t, d.keys, 1)
			require.LessOrEqual(t, p.kdfWork, 70_000)
			switch f.name {
			case "leaf-nomac.pfx", "leaf-unencrypted.pfx", "leaf-pbes2-3des.pfx":
				return // go-pkcs12 refuses files without a MAC, and PBES2 with 3DES
			}
			key, leaf, cas, err := pkcs12.DecodeChain(f.der, f.password)
			require.NoError(t, err)
			require.True(t, d.keys[0].Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(key.(crypto.Signer).Public()))
			require.Equal(t, append([]*x509.Certificate{leaf}, cas...), d.certs)
		})
	}
}

// TestPKCS12Hostile refuses every layout of a huge key-derivation count
// before running it, and what cannot be checked (BER) outright.
func TestPKCS12Hostile(t *testing.T) {
	l := testpki.NewCA(t).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	big2 := func(n int64) *big.Int { return big.NewInt(n) }
	hugeN, ok := new(big.Int).SetString("1000000000000000000000000000000000000000000000000000000", 10)
	require.True(t, ok)
	const pw = "pw"
	mac := macSpec{pbmac1: big2(2048)}
	certs := dataSafe(t, safeContents(t, certBagOf(t, l.Cert)))
	hostileKey := shroudedKey(t, pw, big2(huge), l.Key)
	encrypt := func(iter int64, bags ...safeBag) contentInfo {
		alg, ct := pbes2Encrypt(t, pw, big2(iter), safeContents(t, bags...))
		return encryptedSafe(t, alg, ct)
	}
	part := encrypt(100_000, certBagOf(t, l.Cert))
	berAuthSafe := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagOctetString, IsCompound: true,
		Bytes: mustMarshal(t, []contentInfo{certs, dataSafe(t, safeContents(t, hostileKey))})}
	tests := []struct {
		name     string
		der      []byte
		want     error
		maxSpent int // key-derivation work done before refusing
	}{
		{"classic MAC", buildPFX(t, pw, macSpec{classic: big2(huge)}, []contentInfo{certs}, nil), ErrPKCS12TooExpensive, 0},
		{"PBMAC1 MAC", buildPFX(t, pw, macSpec{pbmac1: big2(huge)}, []contentInfo{certs}, nil), ErrPKCS12TooExpensive, 0},
		{"MAC count of 10^54", buildPFX(t, pw, macSpec{classic: hugeN}, []contentInfo{certs}, nil), ErrPKCS12TooExpensive, 0},
		{"encryptedData with PBES2", buildPFX(t, pw, mac, []contentInfo{encrypt(huge, certBagOf(t, l.Cert))}, nil), ErrPKCS12TooExpensive, 2048},
		{"encryptedData with PKCS#12 PBE", buildPFX(t, pw, mac, []contentInfo{encryptedSafe(t, pbe3DESAlg(t, big2(huge)), make([]byte, 16))}, nil), ErrPKCS12TooExpensive, 2048},
		{"shrouded key with PBES2", buildPFX(t, pw, mac, []contentInfo{certs, dataSafe(t, safeContents(t, hostileKey))}, nil), ErrPKCS12TooExpensive, 2048},
		{"shrouded key with PKCS#12 PBE", buildPFX(t, pw, mac, []contentInfo{certs, dataSafe(t, safeContents(t, shroudedBag(t, pbe3DESAlg(t, big2(huge)), make([]byte, 16))))}, nil), ErrPKCS12TooExpensive, 2048},
		{"shrouded key inside encryptedData", buildPFX(t, pw, mac, []contentInfo{certs, encrypt(2048, hostileKey)}, nil), ErrPKCS12TooExpensive, 2 * 2048},
		{"shrouded key inside encryptedData, no MAC", buildPFX(t, pw, macSpec{}, []contentInfo{encrypt(2048, certBagOf(t, l.Cert), hostileKey)}, nil), ErrPKCS12TooExpensive, 2048},
		{"authenticated safe as a constructed OCTET STRING", buildPFX(t, pw, macSpec{}, nil, &berAuthSafe), ErrUnsupportedFormat, 0},
		{"plain safe as a constructed OCTET STRING", buildPFX(t, pw, mac, []contentInfo{berDataSafe(t, safeContents(t, hostileKey))}, nil), ErrUnsupportedFormat, 2048},
		{"key bags past the key limit", buildPFX(t, pw, mac, []contentInfo{dataSafe(t, safeContents(t, repeatBag(shroudedKey(t, pw, big2(1), l.Key), DefaultMaxKeys+1)...))}, nil), ErrTooManyKeys, 2048 + DefaultMaxKeys},
		{"sum over the budget", buildPFX(t, pw, mac, []contentInfo{certs, part, part, part}, nil), ErrPKCS12TooExpensive, 2048 + 2*100_000},
		{"zero iterations", buildPFX(t, pw, macSpec{classic: big2(0)}, []contentInfo{certs}, nil), ErrUnsupportedFormat, 0},
		{"negative iterations", buildPFX(t, pw, mac, []contentInfo{encrypt(-1)}, nil), ErrUnsupportedFormat, 2048},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testParser()
			_, err := p.decodePKCS12(tc.der, pw)
			require.ErrorIs(t, err, tc.want)
			require.LessOrEqual(t, p.kdfWork, tc.maxSpent, "work done before refusing")
			if tc.want == ErrPKCS12TooExpensive {
				require.Contains(t, err.Error(), "export it again with default settings")
			}
		})
	}
}

func repeatBag(b safeBag, n int) []safeBag {
	out := make([]safeBag, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestPKCS12Layouts reads hand-built files in layouts the common tools do
// not write but go-pkcs12 or the standard allow.
func TestPKCS12Layouts(t *testing.T) {
	l := testpki.NewCA(t).Leaf(t, []string{"a.test"}, testpki.LeafOptions{})
	const pw = "pw"
	mac := macSpec{pbmac1: big.NewInt(1000)}
	alg, ct := pbes2Encrypt(t, pw, big.NewInt(1000), safeContents(t, certBagOf(t, l.Cert), shroudedKey(t, pw, big.NewInt(1000), l.Key)))
	tests := []struct {
		name  string
		safes []contentInfo
	}{
		{"key bag in the clear", []contentInfo{dataSafe(t, safeContents(t, certBagOf(t, l.Cert), keyBagOf(t, l.Key)))}},
		{"shrouded key inside encryptedData", []contentInfo{encryptedSafe(t, alg, ct)}},
		{"three safes", []contentInfo{dataSafe(t, safeContents(t, certBagOf(t, l.Cert))), dataSafe(t, safeContents(t)), dataSafe(t, safeContents(t, keyBagOf(t, l.Key)))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Parse(Input{PKCS12: buildPFX(t, pw, mac, tc.safes, nil), Password: pw})
			require.NoError(t, err)
			require.True(t, l.Cert.Equal(b.Leaf))
			require.True(t, keyMatches(b.Leaf, b.PrivateKey))
		})
	}
}

// TestPKCS12Cancel stops before the first key derivation.
func TestPKCS12Cancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := &parser{ctx: ctx, lim: Limits{}.withDefaults()}
	_, err := p.decodePKCS12(fixture(t, "leaf.pfx"), pfxPass)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, p.kdfWork)
}

// TestRC2 checks the test vectors of RFC 2268, section 5.
func TestRC2(t *testing.T) {
	tests := []struct {
		key, plain, cipher string
		bits               int
	}{
		{"0000000000000000", "0000000000000000", "ebb773f993278eff", 63},
		{"ffffffffffffffff", "ffffffffffffffff", "278b27e42e2f0d49", 64},
		{"3000000000000000", "1000000000000001", "30649edf9be7d2c2", 64},
		{"88", "0000000000000000", "61a8a244adacccf0", 64},
		{"88bca90e90875a", "0000000000000000", "6ccf4308974c267f", 64},
		{"88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "1a807d272bbe5db1", 64},
		{"88bca90e90875a7f0f79c384627bafb2", "0000000000000000", "2269552ab0f85ca6", 128},
		{"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", "0000000000000000", "5b78d3a43dfff1f1", 129},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			key, _ := hex.DecodeString(tc.key)
			plain, _ := hex.DecodeString(tc.plain)
			want, _ := hex.DecodeString(tc.cipher)
			c := newRC2Bits(key, tc.bits)
			got := make([]byte, 8)
			c.Encrypt(got, plain)
			require.Equal(t, want, got)
			c.Decrypt(got, want)
			require.Equal(t, plain, got)
		})
	}
}
