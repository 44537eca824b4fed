package custom

import (
	"bytes"
	"context"
	"crypto"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// FuzzParse feeds arbitrary uploads to Parse: it must never panic, every
// error must carry the package prefix and one of the sentinels, and every
// success must be a usable bundle.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join("testdata", "leaf.key"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, key, []byte(nil), []byte(nil), "")
		f.Add([]byte(nil), data, []byte(nil), []byte(nil), "")
		if strings.HasSuffix(name, ".pfx") {
			f.Add([]byte(nil), []byte(nil), []byte(nil), data, pfxPass)
		}
	}
	f.Fuzz(func(t *testing.T, cert, key, chain, pfx []byte, password string) {
		// A lower PKCS#12 budget keeps every input under a few milliseconds.
		b, err := ParseContext(context.Background(), Input{Certificate: cert, PrivateKey: key, Chain: chain, PKCS12: pfx, Password: password},
			Limits{MaxPKCS12Iterations: 40_000})
		if err != nil {
			if b != nil {
				t.Fatalf("bundle with error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "custom: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			for _, s := range allSentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error matches no sentinel: %v", err)
		}
		if b.Leaf == nil || b.PrivateKey == nil {
			t.Fatalf("incomplete bundle: %v", b)
		}
		if _, err := b.KeyPEM(); err != nil {
			t.Fatalf("KeyPEM: %v", err)
		}
		again, err := Parse(Input{Certificate: b.ChainPEM(), PrivateKey: mustKeyPEM(t, b)})
		if err != nil {
			t.Fatalf("re-parsing the bundle's own PEM: %v", err)
		}
		if !again.Leaf.Equal(b.Leaf) || len(again.Intermediates) != len(b.Intermediates) {
			t.Fatalf("re-parse changed the chain")
		}
		_ = b.String()
	})
}

func mustKeyPEM(t *testing.T, b *Bundle) []byte {
	t.Helper()
	k, err := b.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FuzzScanPEM feeds arbitrary text to the PEM scanner: it must not panic,
// must report at most one block per "-----BEGIN", and must read back
// every block encoding/pem writes, whatever surrounds it.
func FuzzScanPEM(f *testing.F) {
	for _, name := range []string{"fullchain.pem", "fullchain-indented.yaml", "fullchain.json", "fullchain-oneline.txt", "leaf-bom.key", "leaf-encrypted-traditional.key"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "CERTIFICATE", []byte{0x30, 0x03, 0x02, 0x01, 0x01})
	}
	f.Fuzz(func(t *testing.T, data []byte, typ string, body []byte) {
		n := 0
		_ = scanPEM("f", data, func(int, *pemBlock) error { n++; return nil })
		if n > bytes.Count(data, pemBegin) {
			t.Fatalf("%d blocks from %d BEGIN lines", n, bytes.Count(data, pemBegin))
		}
		typ = strings.TrimSpace(typ)
		if typ == "" || len(typ) > maxPEMLabel || strings.ContainsAny(typ, "-:\r\n") || len(body) == 0 {
			return
		}
		block := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: body})
		var got []*pemBlock
		err := scanPEM("f", append([]byte("\xef\xbb\xbf text "), block...), func(_ int, b *pemBlock) error {
			got = append(got, b)
			return nil
		})
		if err != nil || len(got) != 1 || got[0].Type != typ || !bytes.Equal(got[0].Bytes, body) {
			t.Fatalf("round trip of %q: %v, %d blocks", typ, err, len(got))
		}
	})
}

// FuzzPKCS12 feeds arbitrary PKCS#12 files to the decoder with a small
// key-derivation budget: it must not panic, every error must carry a
// sentinel, and a file that go-pkcs12 reads too must give the same key
// and certificates. (go-pkcs12 is only run on files the decoder read:
// their every key derivation is within the budget.) Each input costs
// about a millisecond of key derivation, so the fuzzer's minimization of
// a new input takes a while; -fuzzminimizetime 5s shortens it.
func FuzzPKCS12(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pfx"))
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, filepath.Join("testdata", "leaf-java.p12"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, pfxPass)
	}
	f.Fuzz(func(t *testing.T, der []byte, password string) {
		const budget = 10_000
		p := &parser{ctx: context.Background(), lim: Limits{MaxPKCS12Iterations: budget}.withDefaults()}
		d, err := p.decodePKCS12(der, password)
		if err != nil {
			for _, s := range allSentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error matches no sentinel: %v", err)
		}
		if p.kdfWork > budget {
			t.Fatalf("key-derivation work %d over the budget", p.kdfWork)
		}
		key, leaf, cas, err := pkcs12.DecodeChain(der, password)
		if err != nil {
			return // a layout only this decoder reads
		}
		if len(d.keys) != 1 || !keyMatchesPublic(d.keys[0], key) || len(d.certs) != 1+len(cas) || !d.certs[0].Equal(leaf) {
			t.Fatalf("decoders disagree")
		}
	})
}

func keyMatchesPublic(k crypto.Signer, other any) bool {
	o, ok := other.(crypto.Signer)
	pub, ok2 := k.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && ok2 && pub.Equal(o.Public())
}
