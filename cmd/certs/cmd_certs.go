package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func importCommand() command {
	return command{
		name: "import", args: "HOSTNAME --cert FILE [--key FILE] [flags]", summary: "import a custom certificate for a hostname",
		help: `Validate an uploaded certificate and its key and, when valid, store it as
the hostname's custom certificate and serve it (before any ACME one).
Formats: PEM full chain and key (PKCS#1, PKCS#8, SEC1), a separate chain,
DER, or PKCS#12 with its password. An upload that does not validate
changes nothing and exits with 4, naming each problem with its code.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			var u uploadFlags
			var names listFlag
			workFlags(fs, s)
			u.register(fs)
			fs.Var(&names, "name", "a further `name` of the certificate to serve it for; repeatable")
			allNames := fs.Bool("all-names", false, "serve the certificate for every DNS name it lists")
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 1, 1, "HOSTNAME"); err != nil {
					return err
				}
				up, err := u.read(c.stdin)
				if err != nil {
					return err
				}
				return withBackend(ctx, c, false, func(b backend) (*hostResult, error) {
					return b.Import(ctx, args[0], up, names, *allNames)
				})
			}
		},
	}
}

func validateCommand() command {
	return command{
		name: "validate", args: "[HOSTNAME] --cert FILE [--key FILE] [flags]", summary: "validate an upload without storing it",
		help: `Check a certificate and its key the way import would, without storing
anything: parsing, chain, key match, validity, the hostname's coverage
(when given), trust; print the errors (each with its code), warnings and
the certificate's facts. Exits with 4 when the upload is not valid. With
--json: the API's validation report, locally and remotely.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			var u uploadFlags
			workFlags(fs, s)
			u.register(fs)
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 0, 1, ""); err != nil {
					return err
				}
				up, err := u.read(c.stdin)
				if err != nil {
					return err
				}
				return validateUpload(ctx, c, append(args, "")[0], up)
			}
		},
	}
}

func validateUpload(ctx context.Context, c *cli, hostname string, up *upload) error {
	b, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer b.Close()
	rep, err := b.Validate(ctx, hostname, up)
	if err != nil {
		return err
	}
	if err := c.output(rep, func(w io.Writer) error { return printReport(w, rep) }); err != nil {
		return err
	}
	if !rep.Valid {
		code := "invalid_certificate"
		if len(rep.Errors) > 0 {
			code = rep.Errors[0].Code
		}
		return fmt.Errorf("%w: the upload is not valid (%s)", errInvalid, code)
	}
	return nil
}

func exportCommand() command {
	return command{
		name: "export", args: "HOSTNAME --dir DIR [flags]", summary: "write a certificate and its key to files",
		help: `Write a hostname's certificate as certbot does, for nginx-style servers:
DIR/fullchain.pem, cert.pem, chain.pem (0644) and privkey.pem (0600, the
private key: written nowhere else, never printed). Each file is replaced
atomically. The certificate is the one served (custom first), or the one
of --source. Remotely, the token needs the keys scope.`,
		setup: func(fs *flag.FlagSet, s *settings) runFunc {
			workFlags(fs, s)
			dir := fs.String("dir", "", "`directory` to write the files to (created 0700 if missing)")
			source := fs.String("source", "", "export this certificate: custom or acme (default: the one served)")
			return func(ctx context.Context, c *cli, args []string) error {
				if err := wantArgs(args, 1, 1, "HOSTNAME"); err != nil {
					return err
				}
				if *dir == "" {
					return usagef("missing --dir DIR: where to write the files")
				}
				if err := oneOf("source", *source, "custom", "acme"); err != nil {
					return err
				}
				return export(ctx, c, args[0], *source, *dir)
			}
		},
	}
}

func export(ctx context.Context, c *cli, hostname, source, dir string) error {
	b, err := c.open(ctx, false)
	if err != nil {
		return err
	}
	defer b.Close()
	d, err := b.Download(ctx, hostname, source)
	if err != nil {
		return err
	}
	files, err := writeExport(dir, d)
	if err != nil {
		return err
	}
	out := map[string]any{"hostname": hostname, "source": d.source, "dir": dir, "files": files}
	return c.output(out, func(w io.Writer) error {
		for _, f := range files {
			fmt.Fprintf(w, "%s  %s\n", f.Mode, f.Path)
		}
		return nil
	})
}
