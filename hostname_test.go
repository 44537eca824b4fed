package certs

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeHostname(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"example.com", "example.com"},
		{"  Example.COM. ", "example.com"},
		{"*.Example.com", "*.example.com"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"BÜCHER.example", "xn--bcher-kva.example"},
		{"*.bücher.example", "*.xn--bcher-kva.example"},
		{"xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"a-b.c", "a-b.c"},
		{"localhost", "localhost"},
		{strings.Repeat("a", 63) + ".com", strings.Repeat("a", 63) + ".com"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := NormalizeHostname(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNormalizeHostnameRejects(t *testing.T) {
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "", "empty"},
		{"only dot", ".", "empty"},
		{"double dot", "a..example.com", "empty label"},
		{"slash", "a/b.example.com", "not allowed"},
		{"traversal", "../etc/passwd", "not allowed"},
		{"backslash", `a\b.com`, "not allowed"},
		{"NUL", "a\x00.com", "not allowed"},
		{"space inside", "a b.com", "not allowed"},
		{"port", "example.com:443", "not allowed"},
		{"ipv4", "192.0.2.1", "IP address"},
		{"ipv6", "2001:db8::1", "not allowed"},
		{"bracketed ipv6", "[::1]", "not allowed"},
		{"300 characters", strings.Repeat("a.", 150), "longer than 253"},
		{"long label", strings.Repeat("a", 64) + ".com", "longer than 63"},
		{"leading hyphen", "-a.com", "hyphen"},
		{"trailing hyphen", "a-.com", "hyphen"},
		{"underscore", "a_b.com", "contains"},
		{"wildcard in middle", "a.*.example.com", "leftmost label"},
		{"partial wildcard", "a*.example.com", "leftmost label"},
		{"double wildcard", "*.*.example.com", "leftmost label"},
		{"wildcard on tld", "*.com", "two labels"},
		{"bare wildcard", "*", "leftmost label"},
		{"invalid unicode", "a\u200b\u0000.com", "not allowed"},
		{"bidi violation", "\u05d0a.com", "internationalized"},
		{"emoji only rules", "💩.example", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NormalizeHostname(tc.in)
			if tc.reason == "" && err == nil {
				return // IDNA 2008 lookup rules vary for symbols; only require no panic
			}
			require.Error(t, err)
			require.True(t, errors.Is(err, ErrInvalidHostname), "%v", err)
			require.Contains(t, err.Error(), tc.reason)
		})
	}
}

// FuzzNormalizeHostname checks that normalization never panics, that its
// output is stable (normalizing twice changes nothing) and safe to use as a
// map key or a path element.
func FuzzNormalizeHostname(f *testing.F) {
	for _, s := range []string{"example.com", "*.Example.COM.", "bücher.example", "a..b", "../x", "\x00", "[::1]", strings.Repeat("a.", 130)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeHostname(in)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidHostname)
			return
		}
		again, err := NormalizeHostname(out)
		require.NoError(t, err)
		require.Equal(t, out, again)
		require.LessOrEqual(t, len(out), 253)
		require.NotContains(t, out, "/")
		require.NotContains(t, out, "..")
		require.Equal(t, strings.ToLower(out), out)
	})
}
