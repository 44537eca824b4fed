package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// printVerbs are the fmt verbs (with some flags) every value is printed
// with. %p is added for pointers; see exposedToP.
var printVerbs = []string{
	"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%d", "%o", "%O", "%b", "%c", "%U",
	"%e", "%E", "%f", "%F", "%g", "%G", "%t", "%08.3f", "%-40v", "%+q", "%#x", "%T",
}

// render prints v every way a user might and returns each output by how it
// was made: every fmt verb, fmt.Sprint, inside a struct field, json.Marshal
// (alone and as a field), and both slog handlers. withP and unexported add
// the two ways fmt prints raw fields whatever methods v has: %p of a value
// that is not a pointer (fmt dumps it to report the bad verb), and v in an
// unexported field (fmt calls no method there, and with a verb that is bad
// for a pointer, such as %s, dumps what the pointer points to).
func render(v any, withP, unexported bool) map[string]string {
	out := map[string]string{}
	verbs := printVerbs
	if withP {
		verbs = append(slices.Clip(verbs), "%p")
	}
	for _, verb := range verbs {
		out[verb] = fmt.Sprintf(verb, v)
		out["field "+verb] = fmt.Sprintf(verb, struct{ V any }{v})
		if unexported {
			out["unexported field "+verb] = fmt.Sprintf(verb, struct{ v any }{v})
		}
	}
	out["Sprint"] = fmt.Sprint(v)
	out["Sprintln"] = fmt.Sprintln("x", v)
	if err, ok := v.(error); ok {
		out["Error"] = err.Error()
		out["wrapped"] = fmt.Errorf("wrapped: %w", err).Error()
	}
	b, err := json.Marshal(v)
	out["json"] = string(b) + fmt.Sprint(err)
	b, err = json.Marshal(struct{ V any }{v})
	out["json field"] = string(b) + fmt.Sprint(err)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "v", v, slog.Group("g", slog.Any("v", v)))
	out["slog json"] = buf.String()
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "v", v, slog.Group("g", slog.Any("v", v)))
	out["slog text"] = buf.String()
	return out
}

// leakForms returns the ways secret can show up in printed output: raw,
// quoted, in hex and base64, and as fmt prints bytes and strings with
// each verb (decimal, octal, binary, characters, code points, %!verb(...)),
// for the whole secret and for a 16-byte piece of its middle.
func leakForms(secret []byte) []string {
	mid := secret[len(secret)/2-8 : len(secret)/2+8]
	var forms []string
	for _, s := range [][]byte{secret, mid} {
		forms = append(forms, string(s), hex.EncodeToString(s), strings.ToUpper(hex.EncodeToString(s)))
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			e := enc.EncodeToString(s)
			forms = append(forms, e[4:len(e)-4]) // alignment-independent middle
		}
		for _, verb := range printVerbs {
			forms = append(forms, inner(fmt.Sprintf(verb, s)), inner(fmt.Sprintf(verb, string(s))))
		}
		quoted, _ := json.Marshal(string(s))
		numbers := make([]string, len(s)) // a byte array in JSON
		for i, c := range s {
			numbers[i] = fmt.Sprint(c)
		}
		forms = append(forms, inner(string(quoted)), strings.Join(numbers, ","))
	}
	return slices.DeleteFunc(forms, func(f string) bool { return len(f) < 12 })
}

// inner strips what fmt puts around a printed slice or string ("[...]",
// "[]byte{...}", quotes, padding), keeping the elements.
func inner(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range []string{"[]byte{", "[", `"`} {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
			break
		}
	}
	for _, p := range []string{"}", "]", `"`} {
		if strings.HasSuffix(s, p) {
			s = s[:len(s)-len(p)]
			break
		}
	}
	return s
}

// leaks reports whether out shows secret in any form of leakForms.
func leaks(out string, secret []byte) bool {
	for _, f := range leakForms(secret) {
		if strings.Contains(out, f) {
			return true
		}
	}
	return false
}

// TestLeakCheckerCatchesLeaks shows that render and leaks catch a value
// that does print its secrets, through every way of printing it.
func TestLeakCheckerCatchesLeaks(t *testing.T) {
	t.Parallel()
	key := mustKey(t, "k")
	leaky := []any{
		struct {
			Name    string
			Secrets map[string][]byte
		}{"example.com", map[string][]byte{"custom.key": recordSecretBytes}},
		struct{ Secret [32]byte }{key.Secret},
		struct{ PEM string }{string(recordSecretBytes)},
	}
	secrets := [][]byte{recordSecretBytes, key.Secret[:], recordSecretBytes}
	for i, v := range leaky {
		for how, out := range render(v, true, true) {
			if strings.HasSuffix(how, "%T") || how == "%p" {
				continue // the type, or an address: nothing to leak
			}
			require.True(t, leaks(out, secrets[i]), "value %d: the checker misses the leak of %s: %s", i, how, out)
		}
	}
}

var (
	recordSecretBytes = []byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIRECORD-SECRET-7f3a91c2\n-----END PRIVATE KEY-----\n")
	blobSecretBytes   = []byte(`{"private_key":"BLOB-SECRET-c0ffee-4b1d-9e8f-account-key-material"}`)
)

// rawExposed are the types that cannot be kept from printing secrets
// when fmt prints them raw, bypassing every method (see render), because
// their exported fields hold secrets (Record.Secrets, Key.Secret, the
// records of ListResult.Records): hiding those would change the API. Each
// documents it. p: a value (not a pointer) printed with %p; unexported: a
// value or pointer in an unexported field.
var rawExposed = map[string]struct{ p, unexported bool }{
	"Record":     {p: true, unexported: true},
	"Key":        {p: true, unexported: true},
	"ListResult": {unexported: true},
}

// TestSecretsNeverShown prints a value (and a pointer) of every exported
// type of the package, holding secrets, in every way render knows, and
// checks that no private key, blob or encryption key shows up.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	key := mustKey(t, "prod-2026")
	values := secretValues(t, key)
	require.ElementsMatch(t, exportedTypes(t), mapsKeys(values), "every exported type must be checked here")
	for typ, vs := range values {
		for i, v := range vs {
			exposed := rawExposed[typ]
			isPointer := reflect.ValueOf(v).Kind() == reflect.Pointer
			for how, out := range render(v, !exposed.p || isPointer, !exposed.unexported) {
				for _, secret := range [][]byte{recordSecretBytes, blobSecretBytes, key.Secret[:], damageSecret, plainSecret} {
					require.False(t, leaks(out, secret), "%s #%d printed with %s shows a secret: %s", typ, i, how, out)
				}
			}
		}
	}
}

// secretValues returns, for every exported type, a value and a pointer
// holding secrets, taken from real operations where there are some.
func secretValues(t *testing.T, key Key) map[string][]any {
	ctx := context.Background()
	rec := Record{Name: "example.com", Data: []byte("{}"), Secrets: map[string][]byte{"custom.key": recordSecretBytes}}
	mem := NewMemory()
	require.NoError(t, mem.Put(ctx, &rec))
	require.NoError(t, mem.PutBlob(ctx, "acme/account.json", blobSecretBytes))
	fsys := damagedStore(t, damageCases[2]) // junk bytes, holding the secret, in example.com's file
	require.NoError(t, fsys.PutBlob(ctx, "acme/account.json", blobSecretBytes))
	res, err := fsys.List(ctx, ListOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, res.Damaged)
	_, damageErr := fsys.Get(ctx, "example.com")
	var de *DamagedError
	require.ErrorAs(t, damageErr, &de)
	enc := mustEncrypted(t, mem, key, mustKey(t, "old"))
	plainEnc := mustEncrypted(t, plainStore{mem}, key)
	sealedByOther := NewMemory() // with another key of the same ID
	require.NoError(t, mustEncrypted(t, sealedByOther, mustKey(t, key.ID)).PutBlob(ctx, "b", blobSecretBytes))
	_, decErr := mustEncrypted(t, sealedByOther, key).GetBlob(ctx, "b")
	var dec *DecryptError
	require.ErrorAs(t, decErr, &dec)
	_, keyErr := ParseKey("bad", base64.StdEncoding.EncodeToString(key.Secret[:16]))
	var ke *KeyError
	require.ErrorAs(t, keyErr, &ke)
	sort, opts := SortByExpiry, ListOptions{Filter: "example", Cursor: res.NextCursor, Limit: 3}
	return map[string][]any{
		"Record":       {rec, &rec},
		"ListResult":   {*res, res},
		"ListOptions":  {opts, &opts},
		"SortField":    {sort, &sort},
		"Store":        {enc, plainEnc, Store(mem), Store(fsys)},
		"Locker":       {enc, Locker(mem), Locker(fsys)},
		"Scanner":      {Scanner(mem), Scanner(fsys)},
		"ChangeFeed":   {ChangeFeed(fsys), enc},
		"Versioned":    {enc},
		"Change":       {Change{Seq: 1, Name: "example.com"}, &Change{Reset: true}},
		"FS":           {*fsys, fsys},
		"Memory":       {*mem, mem},
		"Key":          {key, &key},
		"KeyError":     {*ke, ke},
		"DecryptError": {*dec, dec},
		"DamagedError": {*de, de, damageErr},
	}
}

// exportedTypes returns the exported types declared in the package's
// non-test files.
func exportedTypes(t *testing.T) []string {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var names []string
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		file, err := parser.ParseFile(fset, f, src, 0)
		require.NoError(t, err)
		for _, d := range file.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, spec := range g.Specs {
					if name := spec.(*ast.TypeSpec).Name.Name; ast.IsExported(name) {
						names = append(names, name)
					}
				}
			}
		}
	}
	return names
}

func mapsKeys(m map[string][]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
