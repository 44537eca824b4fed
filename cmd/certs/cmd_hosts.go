package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

func listCommand() command {
	return command{
		name: "list", args: "[flags]", summary: "list the hostnames and the certificate each serves",
		help: `List the hostnames with the certificate each one serves (custom first,
then ACME): status, source, expiry, issuer and the names it is served for.
With --json: the library's ListPage locally, the API's page remotely.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			var q listQuery
			var labels listFlag
			workFlags(fs, s)
			fs.StringVar(&q.filter, "filter", "", "keep hostnames containing this `text`")
			fs.Var(&labels, "label", "keep hostnames with this `key=value` label; repeatable")
			fs.StringVar(&q.sort, "sort", "name", "order by name, expiry or created")
			fs.BoolVar(&q.desc, "desc", false, "reverse the order")
			fs.IntVar(&q.limit, "limit", 0, "list at most `n` hostnames (0: all)")
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 0, 0, ""); err != nil {
					return err
				}
				if err := oneOf("sort", q.sort, "name", "expiry", "created"); err != nil {
					return err
				}
				var err error
				if q.labels, err = parseLabels(labels); err != nil {
					return err
				}
				return list(ctx, c, q)
			}
		},
	}
}

func list(ctx context.Context, c *cli, q listQuery) error {
	b, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer b.Close()
	res, err := b.List(ctx, q)
	if err != nil {
		return err
	}
	return c.output(res.native, func(w io.Writer) error { return printHostTable(w, res.views, res.total) })
}

// parseLabels parses key=value pairs.
func parseLabels(pairs []string) (map[string]string, error) {
	if len(pairs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usagef("--label wants key=value, not %q", p)
		}
		out[k] = v
	}
	return out, nil
}

func showCommand() command {
	return command{
		name: "show", args: "HOSTNAME [flags]", summary: "show a hostname, its certificates and pending order",
		help: `Show everything known about a hostname: its certificates (custom and
ACME) with their status, expiry, names, issuer, key and renewal, its
pending ACME order, and what to fix. With --json: the library's Host
locally, the API's hostname resource remotely.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			workFlags(fs, s)
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 1, 1, "HOSTNAME"); err != nil {
					return err
				}
				return withBackend(ctx, c, false, func(b backend) (*hostResult, error) { return b.Get(ctx, args[0]) })
			}
		},
	}
}

// withBackend opens the backend, runs op and prints the hostname it
// returns (nothing for nil).
func withBackend(ctx context.Context, c *cli, withIssuer bool, op func(b backend) (*hostResult, error)) error {
	b, err := c.open(ctx, withIssuer)
	if err != nil {
		return err
	}
	defer b.Close()
	res, err := op(b)
	if err != nil || res == nil {
		return err
	}
	return c.output(res.native, func(w io.Writer) error { return printHost(w, res.view) })
}

func checkCommand() command {
	return command{
		name: "check", args: "HOSTNAME [flags]", summary: "look up a hostname's DNS now and say what to fix",
		help: `Look up a hostname's DNS now: its addresses or CNAME, the _acme-challenge
delegation, the ownership TXT record, CAA. The outcome is stored on the
hostname (a pending order whose DNS is now right is retried at once by
the scheduler). Exits with 4 when records need fixing. --expect-a,
--expect-aaaa and --expect-cname say where the hostnames should point;
--dns-resolver chooses the resolver; --agree-tos lets CAA be checked
against the CA's own identities (else letsencrypt.org's).`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			workFlags(fs, s)
			s.acmeFlags(fs)
			s.dnsFlags(fs)
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 1, 1, "HOSTNAME"); err != nil {
					return err
				}
				var problems []string
				err := withBackend(ctx, c, false, func(b backend) (*hostResult, error) {
					res, err := b.Check(ctx, args[0])
					if res != nil {
						problems = res.view.DNSProblems
					}
					return res, err
				})
				if err == nil && len(problems) > 0 {
					return fmt.Errorf("%w: %d DNS record(s) to fix", errInvalid, len(problems))
				}
				return err
			}
		},
	}
}

func removeCommand() command {
	return command{
		name: "remove", args: "HOSTNAME [flags]", summary: "remove a hostname, or one of its certificates",
		help: `Remove a hostname and all its certificates, and stop serving it; or,
with --source, only its custom certificate (the ACME one is served again)
or its ACME certificate (its pending order is withdrawn and it is no
longer renewed). A hostname that does not exist exits with 3.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			workFlags(fs, s)
			source := fs.String("source", "", "remove only this certificate: custom or acme")
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 1, 1, "HOSTNAME"); err != nil {
					return err
				}
				if err := oneOf("source", *source, "custom", "acme"); err != nil {
					return err
				}
				removedAll := false
				err := withBackend(ctx, c, false, func(b backend) (*hostResult, error) {
					res, err := b.Remove(ctx, args[0], *source)
					removedAll = err == nil && res == nil
					return res, err
				})
				if removedAll {
					return c.output(map[string]any{"hostname": args[0], "removed": true}, func(w io.Writer) error {
						_, err := fmt.Fprintf(w, "removed %s\n", args[0])
						return err
					})
				}
				return err
			}
		},
	}
}
