package custom

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

var (
	pemBegin  = []byte("-----BEGIN")
	pemEnd    = []byte("-----END")
	pemDashes = []byte("-----")
)

// maxPEMLabel bounds the type of a PEM block ("CERTIFICATE").
const maxPEMLabel = 64

// pemFix ends every PEM error: what to do.
const pemFix = "paste the whole file, including the -----BEGIN and -----END lines"

// pemBlock is one armored block of an input field.
type pemBlock struct {
	Type    string
	Headers map[string]string
	Bytes   []byte
}

// scanPEM calls fn for every PEM block of data, in order. Unlike
// encoding/pem, which only sees a -----BEGIN line at the start of a line,
// a block is read wherever "-----BEGIN" appears: after a byte-order mark
// or other text on its line, indented (pasted from YAML), with CRLF line
// ends, on one line, or with the escaped newlines of a JSON string. A
// block that cannot be read is an ErrInvalidPEM naming it; none is
// skipped.
func scanPEM(field string, data []byte, fn func(n int, b *pemBlock) error) error {
	for n, off := 1, 0; ; n++ {
		i := bytes.Index(data[off:], pemBegin)
		if i < 0 {
			return nil
		}
		b, next, problem := readPEMBlock(data, off+i)
		if problem != "" {
			return fmt.Errorf("%w: %s: PEM block %d %s; %s", ErrInvalidPEM, field, n, problem, pemFix)
		}
		if err := fn(n, b); err != nil {
			return err
		}
		off = next
	}
}

// readPEMBlock reads the block whose "-----BEGIN" is at data[start:]. It
// returns the block and the offset after its END line, or what is wrong.
func readPEMBlock(data []byte, start int) (*pemBlock, int, string) {
	typ, bodyStart, ok := pemLabel(data, start+len(pemBegin))
	if !ok {
		return nil, 0, "has a malformed BEGIN line (it must read -----BEGIN TYPE-----)"
	}
	rel := bytes.Index(data[bodyStart:], pemEnd)
	next := bytes.Index(data[bodyStart:], pemBegin)
	if rel < 0 || (next >= 0 && next < rel) {
		return nil, 0, fmt.Sprintf("(%s) is truncated: its -----END %s----- line is missing", quoteShort(typ), typ)
	}
	endTyp, after, ok := pemLabel(data, bodyStart+rel+len(pemEnd))
	if !ok || endTyp != typ {
		return nil, 0, fmt.Sprintf("(%s) is corrupt: its END line does not read -----END %s-----", quoteShort(typ), typ)
	}
	headers, der, problem := pemBody(data[bodyStart : bodyStart+rel])
	if problem != "" {
		return nil, 0, fmt.Sprintf("(%s) is corrupt: %s", quoteShort(typ), problem)
	}
	return &pemBlock{Type: typ, Headers: headers, Bytes: der}, after, ""
}

// pemLabel reads " TYPE-----" at data[at:]: the type and the offset after
// the dashes. The type is on one line and short.
func pemLabel(data []byte, at int) (string, int, bool) {
	window := data[at:min(len(data), at+maxPEMLabel+len(pemDashes)+2)]
	i := bytes.Index(window, pemDashes)
	if i < 0 || bytes.ContainsAny(window[:i], "\r\n") {
		return "", 0, false
	}
	typ := strings.TrimSpace(string(window[:i]))
	return typ, at + i + len(pemDashes), typ != ""
}

// pemBody decodes what lies between the BEGIN and END lines: optional
// "Key: value" headers, then base64 with any whitespace. It makes one
// pass and at most three copies of content, whatever its line structure.
func pemBody(content []byte) (map[string]string, []byte, string) {
	if bytes.IndexByte(content, '\\') >= 0 {
		content = unescapeJSON(content)
	}
	var headers map[string]string
	rest := content
	for len(rest) > 0 {
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSpace(line)
		if len(line) == 0 && headers == nil {
			rest = after // blank lines before the headers or the body
			continue
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			break
		}
		if headers == nil {
			headers = map[string]string{}
		}
		headers[string(bytes.TrimSpace(k))] = string(bytes.TrimSpace(v))
		rest = after
	}
	b64 := stripSpace(rest)
	if len(b64) == 0 {
		return nil, nil, "it has no content between its BEGIN and END lines"
	}
	der := make([]byte, base64.StdEncoding.DecodedLen(len(b64)))
	n, err := base64.StdEncoding.Decode(der, b64)
	if err != nil {
		return nil, nil, base64Problem(b64, err)
	}
	return headers, der[:n], ""
}

// stripSpace returns a copy of b without ASCII whitespace.
func stripSpace(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n', '\f', '\v':
		default:
			out = append(out, c)
		}
	}
	return out
}

// unescapeJSON turns the \n, \t and \/ escapes of a PEM copied from a
// JSON string into what they stand for, and drops \r (base64 never holds
// a backslash).
func unescapeJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			switch b[i+1] {
			case 'n':
				out, i = append(out, '\n'), i+1
				continue
			case 'r':
				i++
				continue
			case 't':
				out, i = append(out, ' '), i+1
				continue
			case '/':
				out, i = append(out, '/'), i+1
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}

// base64Problem says where the base64 body went wrong, quoting the
// character only when it is not base64 (the body may be a key).
func base64Problem(b64 []byte, err error) string {
	if e, ok := err.(base64.CorruptInputError); ok && int(e) < len(b64) {
		c := b64[e]
		if c >= 0x80 || strings.IndexByte(base64Alphabet, c) >= 0 {
			return fmt.Sprintf("its body is not valid base64 (at character %d)", int(e)+1)
		}
		return fmt.Sprintf("its body is not valid base64 (%q at character %d)", rune(c), int(e)+1)
	}
	return "its body is not valid base64 (a character is missing, extra or not base64)"
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
