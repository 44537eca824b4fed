package custom

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		// Parse accepts up to a million iterations per count, which takes
		// about a second; keep the fuzzer fast by skipping such inputs.
		if (iterationLimits{each: 10_000, total: 40_000}).check(pfx) != nil {
			t.Skip("slow PKCS#12 key derivation")
		}
		b, err := Parse(Input{Certificate: cert, PrivateKey: key, Chain: chain, PKCS12: pfx, Password: password})
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
