package main

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
)

// uploadFlags are the files of a certificate upload (import, validate).
type uploadFlags struct {
	cert, key, chain, pkcs12, passwordFile string
}

func (u *uploadFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&u.cert, "cert", "", "certificate `file`: PEM (the full chain, and the key too if --key is not given) or DER; - for stdin")
	fs.StringVar(&u.key, "key", "", "private key `file`: PEM (PKCS#1, PKCS#8, SEC1) or DER")
	fs.StringVar(&u.chain, "chain", "", "intermediates `file`, PEM or DER, when --cert holds the leaf only")
	fs.StringVar(&u.pkcs12, "pkcs12", "", "PKCS#12 (.pfx, .p12) `file` holding the key, leaf and chain, instead of --cert")
	fs.StringVar(&u.passwordFile, "password-file", "", "`file` holding the PKCS#12 password (or set CERTS_PKCS12_PASSWORD)")
}

// upload is a certificate upload read from files. Its String never shows
// the key.
type upload struct {
	cert, key, chain, pkcs12 []byte
	password                 string
}

func (u *upload) String() string { return "upload{key not shown}" }

// read reads the files; stdin is read for one "-" at most.
func (u *uploadFlags) read(stdin io.Reader) (*upload, error) {
	switch {
	case u.pkcs12 != "" && (u.cert != "" || u.key != "" || u.chain != ""):
		return nil, usagef("give either --pkcs12 or --cert (with --key and --chain), not both")
	case u.pkcs12 == "" && u.cert == "":
		return nil, usagef("give the certificate: --cert FILE (with --key FILE), or --pkcs12 FILE")
	}
	var up upload
	var err error
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{u.cert, &up.cert}, {u.key, &up.key}, {u.chain, &up.chain}, {u.pkcs12, &up.pkcs12}} {
		if f.name == "" {
			continue
		}
		if *f.dst, err = readInput(f.name, stdin); err != nil {
			return nil, err
		}
		if f.name == "-" {
			stdin = nil
		}
	}
	if up.password, err = password(u.passwordFile); err != nil {
		return nil, err
	}
	return &up, nil
}

// readInput reads a file, or stdin for "-".
func readInput(name string, stdin io.Reader) ([]byte, error) {
	if name != "-" {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, usagef("%v", err)
		}
		return b, nil
	}
	if stdin == nil {
		return nil, usagef("only one file may be read from stdin (-)")
	}
	return io.ReadAll(io.LimitReader(stdin, 8<<20))
}

// password reads the PKCS#12 password from its file (first line), else
// from CERTS_PKCS12_PASSWORD.
func password(file string) (string, error) {
	if file == "" {
		return os.Getenv("CERTS_PKCS12_PASSWORD"), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", usagef("--password-file: %v", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimRight(first, "\r"), nil
}

// input is the upload for the Manager.
func (u *upload) input() certs.Input {
	return certs.Input{Certificate: u.cert, PrivateKey: u.key, Chain: u.chain, PKCS12: u.pkcs12, Password: u.password}
}

// apiUpload is the upload for the API: PEM as text, DER and PKCS#12 in
// base64.
func (u *upload) apiUpload() api.Upload {
	var out api.Upload
	if u.pkcs12 != nil {
		out.PKCS12, out.Password = base64.StdEncoding.EncodeToString(u.pkcs12), u.password
		return out
	}
	pemOrDER := func(b []byte, text, der *string) {
		switch {
		case b == nil:
		case bytes.Contains(b, []byte("-----BEGIN")):
			*text = string(b)
		default:
			*der = base64.StdEncoding.EncodeToString(b)
		}
	}
	var fullchain string
	pemOrDER(u.cert, &fullchain, &out.CertificateDER)
	pemOrDER(u.key, &out.PrivateKey, &out.PrivateKeyDER)
	pemOrDER(u.chain, &out.Chain, &out.ChainDER)
	if out.Chain != "" || out.ChainDER != "" {
		out.Certificate = fullchain
	} else {
		out.Fullchain = fullchain
	}
	return out
}

var _ fmt.Stringer = (*upload)(nil)
