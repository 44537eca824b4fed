package main

import (
	"context"
	"flag"
)

// commands are the subcommands, in the order `certs help` lists them.
func commands() []command {
	return []command{
		importCommand(), obtainCommand(), listCommand(), showCommand(), checkCommand(),
		renewCommand(), revokeCommand(), removeCommand(), exportCommand(), validateCommand(),
		serveCommand(), demoCommand(),
	}
}

// workFlags are the flags of every command that works on a local store or
// a server and prints a result.
func workFlags(fs *flag.FlagSet, s *settings) {
	s.storeFlags(fs)
	s.remoteFlags(fs)
	s.outputFlags(fs)
}

func demoCommand() command {
	return command{
		name: "demo", args: "", summary: "run the whole life cycle on loopback (no internet, ~1 s)",
		help: `Start an embedded ACME CA (Pebble) and DNS server, obtain ACME
certificates through the Manager (http-01, tls-alpn-01, dns-01 and a
wildcard), import a custom certificate from a local CA, serve HTTPS on
loopback, show with real handshakes which certificate is served (custom
first, ACME after RemoveCustom, custom after revoking the ACME one) and
print a status table. Nothing is kept: the store is a temporary directory.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 0, 0, ""); err != nil {
					return err
				}
				return demo(ctx, c.stdout)
			}
		},
	}
}
