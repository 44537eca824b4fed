package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDemo runs the demo as a user would and checks what it shows: every
// challenge type issued, custom first, ACME after RemoveCustom, custom
// again after revoking the ACME certificate, the wildcard, and the table.
func TestDemo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(ctx, []string{"demo"}, nil, &out, &errOut), errOut.String())
	s := out.String()
	for _, want := range []string{
		"www.demo.test      via http-01     -> active",
		"alpn.demo.test     via tls-alpn-01 -> active",
		"dns.demo.test      via dns-01      -> active",
		"*.apps.demo.test   via dns-01      -> active",
		"RemoveCustom\n    GET https://www.demo.test/ -> 200 OK \"hello from www.demo.test\", certificate [www.demo.test] issued by \"Pebble Intermediate CA",
		"Revoke the ACME one\n    GET https://www.demo.test/ -> 200 OK \"hello from www.demo.test\", certificate [www.demo.test] issued by \"certs demo root CA\"",
		"GET https://blog.apps.demo.test/ -> 200 OK",
		"GET https://unknown.demo.test/ -> handshake refused",
		"revoked",
	} {
		require.Contains(t, s, want)
	}
	require.True(t, strings.HasPrefix(strings.SplitN(s, "\n", 2)[0], "store "))
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run(context.Background(), nil, nil, &out, &errOut))
	require.Contains(t, errOut.String(), "usage: certs")
	require.Equal(t, 2, run(context.Background(), []string{"nope"}, nil, &out, &errOut))
	require.Contains(t, errOut.String(), `unknown command "nope"`)
	require.Equal(t, 0, run(context.Background(), []string{"help"}, nil, &out, &errOut))
}
