package certs_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goBlocks returns the Go code blocks of README.md, each as its trimmed,
// non-empty lines.
func goBlocks(t *testing.T) [][]string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	var blocks [][]string
	rest := string(readme)
	for {
		var ok bool
		if _, rest, ok = strings.Cut(rest, "```go\n"); !ok {
			return blocks
		}
		var block string
		block, rest, ok = strings.Cut(rest, "```")
		require.True(t, ok, "an unterminated code block in README.md")
		blocks = append(blocks, codeLines(block))
	}
}

func codeLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// funcSource returns the source of the function name in file: its body
// only, or the whole declaration.
func funcSource(t *testing.T, file, name string, bodyOnly bool) []string {
	t.Helper()
	src, err := os.ReadFile(file)
	require.NoError(t, err)
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	require.NoError(t, err)
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != name {
			continue
		}
		from, to := fset.Position(fn.Pos()).Offset, fset.Position(fn.End()).Offset
		if bodyOnly {
			from, to = fset.Position(fn.Body.Lbrace).Offset+1, fset.Position(fn.Body.Rbrace).Offset
		}
		return codeLines(string(src[from:to]))
	}
	t.Fatalf("no function %s in %s", name, file)
	return nil
}

// TestReadmeCodeIsTested: the README's code blocks that show whole
// programs or tests are copies of code that is compiled and run here.
func TestReadmeCodeIsTested(t *testing.T) {
	blocks := goBlocks(t)
	for _, want := range []struct {
		file, fn string
		body     bool
	}{
		{"autotls/example_test.go", "ExampleServe", true},
		{"example_acme_test.go", "Example_server", true},
		{"certstest/certstest_test.go", "TestShopGetsACertificate", false},
	} {
		src := strings.Join(funcSource(t, want.file, want.fn, want.body), "\n")
		found := false
		for _, b := range blocks {
			// The block is the code itself, or a whole program around it.
			found = found || strings.Join(b, "\n") == src || strings.Contains(strings.Join(b, "\n"), "func main() {\n"+src+"\n}")
		}
		require.True(t, found, "README.md has no code block equal to %s in %s", want.fn, want.file)
	}
}
