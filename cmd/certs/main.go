// Command certs is the command-line face of the certs library.
//
//	certs demo    run a self-contained demo on loopback (no internet)
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "demo":
		if err := demo(ctx, stdout); err != nil {
			fmt.Fprintln(stderr, "certs demo:", err)
			return 1
		}
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "certs: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `usage: certs <command>

commands:
  demo   start an embedded ACME CA (Pebble) and DNS server, obtain ACME
         certificates through the Manager (http-01, tls-alpn-01, dns-01 and a
         wildcard), import a custom certificate from a local CA, serve HTTPS
         on loopback, show with real handshakes which certificate is served
         (custom first, ACME after RemoveCustom, custom after revoking the
         ACME one) and print a status table; no internet needed`)
}
