package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/dnsprovider/all"
	"github.com/certs-dev/certs/pgstore"
	"github.com/certs-dev/certs/store"
)

// errNeedTOS is returned by commands that talk to the CA without --agree-tos.
var errNeedTOS = usagef("this command talks to the ACME CA: read its terms of service and pass --agree-tos (or set CERTS_AGREE_TOS=1)")

// newManager opens the store and builds a Manager on it, with an ACME
// issuer when the CA's terms are agreed to (required by withIssuer).
// closeStore releases the store (a PostgreSQL pool).
func newManager(ctx context.Context, s *settings, log *slog.Logger, withIssuer bool) (m *certs.Manager, closeStore func(), err error) {
	cfg := certs.Config{Logger: log, NewDNSProvider: all.New, DNS: dnsConfig(s)}
	if s.keyFile != "" {
		keys, err := readKeys(s.keyFile)
		if err != nil {
			return nil, nil, err
		}
		cfg.EncryptionKey, cfg.PreviousEncryptionKeys = &keys[0], keys[1:]
	}
	switch {
	case s.agreeTOS:
		if cfg.Issuer, err = newIssuer(s, log); err != nil {
			return nil, nil, err
		}
	case withIssuer:
		return nil, nil, errNeedTOS
	}
	if cfg.Store, closeStore, err = openStore(ctx, s.storeDir, log); err != nil {
		return nil, nil, err
	}
	if m, err = certs.NewContext(ctx, cfg); err != nil {
		closeStore()
		return nil, nil, err
	}
	return m, closeStore, nil
}

// dnsConfig is the DNS configuration of the settings.
func dnsConfig(s *settings) certs.DNSConfig {
	cfg := certs.DNSConfig{Resolvers: resolverAddrs(s.resolvers), NameserverPort: s.dnsPort}
	cfg.A, cfg.AAAA, cfg.CNAME, cfg.ACMEChallengeZone = s.expectA, s.expectAAAA, s.expectCNAME, s.challengeZone
	return cfg
}

// openStore opens the store of --store: a PostgreSQL database for a
// postgres:// URL, else a directory (store.DefaultDir() when empty).
func openStore(ctx context.Context, where string, log *slog.Logger) (certs.Store, func(), error) {
	if strings.HasPrefix(where, "postgres://") || strings.HasPrefix(where, "postgresql://") {
		pg, err := pgstore.New(ctx, pgstore.Config{DSN: where, Logger: log})
		if err != nil {
			return nil, nil, fmt.Errorf("open the PostgreSQL store: %w", err)
		}
		return pg, pg.Close, nil
	}
	if where == "" {
		d, err := store.DefaultDir()
		if err != nil {
			return nil, nil, usagef("%v; or pass --store", err)
		}
		where = d
	}
	fs, err := store.NewFS(where)
	if err != nil {
		return nil, nil, fmt.Errorf("open the store %s: %w", where, err)
	}
	return fs, func() {}, nil
}

// newIssuer builds the ACME issuer of the settings.
func newIssuer(s *settings, log *slog.Logger) (certs.Issuer, error) {
	roots, err := readRoots(s.caRoots)
	if err != nil {
		return nil, err
	}
	cfg := acme.Config{
		DirectoryURL: s.directory, Staging: s.staging, Email: s.email, AgreeTOS: s.agreeTOS,
		Roots: roots, Logger: log, DNSResolvers: resolverAddrs(s.resolvers), DefaultProfile: s.profile,
	}
	if s.eabKID != "" {
		cfg.EAB = &acme.ExternalAccountBinding{KeyID: s.eabKID, HMACKey: os.Getenv("CERTS_EAB_HMAC_KEY")}
	}
	iss, err := acme.New(cfg)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return iss, nil
}

// resolverAddrs gives each resolver a port (53 by default).
func resolverAddrs(in []string) []string {
	out := make([]string, 0, len(in))
	for _, r := range in {
		if _, _, err := net.SplitHostPort(r); err != nil {
			r = net.JoinHostPort(strings.Trim(r, "[]"), "53")
		}
		out = append(out, r)
	}
	return out
}

// readRoots reads a PEM bundle of roots; "" means the system roots (nil).
func readRoots(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, usagef("--ca-roots: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, usagef("--ca-roots: %s holds no PEM certificate", file)
	}
	return pool, nil
}

// httpClient is the client for --server: --ca-roots trusted, bounded.
func httpClient(s *settings) (*http.Client, error) {
	roots, err := readRoots(s.caRoots)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if roots != nil {
		tr.TLSClientConfig.RootCAs = roots
	}
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}, nil
}

// readKeys reads the encryption keys of --encryption-key-file: one key a
// line, "[id] base64-secret" (id "default" when omitted), the first one
// current and the others previous keys still read; # starts a comment.
// Errors never quote a secret.
func readKeys(file string) ([]store.Key, error) {
	b, err := readSecretFile("encryption-key-file", file)
	if err != nil {
		return nil, err
	}
	var keys []store.Key
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		id, secret := "default", fields[0]
		if len(fields) >= 2 {
			id, secret = fields[0], fields[1]
		}
		k, err := store.ParseKey(id, secret)
		if err != nil {
			return nil, fmt.Errorf("--encryption-key-file %s, line %d: %w", file, n, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, usagef("--encryption-key-file: %s holds no key; write one with: echo \"k1 $(openssl rand -base64 32)\" > %s", file, file)
	}
	return keys, nil
}

// readSecretFile reads a file of secrets, refusing one that every user of
// the machine may read or change.
func readSecretFile(flagName, file string) ([]byte, error) {
	info, err := os.Stat(file)
	if err != nil {
		return nil, usagef("--%s: %v", flagName, err)
	}
	if perm := info.Mode().Perm(); perm&0o007 != 0 {
		return nil, usagef("--%s: every user can access %s (mode %v); chmod 600 it (or 640 for a group)", flagName, file, perm)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, usagef("--%s: %v", flagName, err)
	}
	return b, nil
}

// readCredentials reads DNS provider credentials: a JSON object, or
// KEY=VALUE lines (# comments). Values are never printed.
func readCredentials(file string) (map[string]string, error) {
	if file == "" {
		return nil, nil
	}
	b, err := readSecretFile("dns-credentials-file", file)
	if err != nil {
		return nil, err
	}
	creds := map[string]string{}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		if err := json.Unmarshal(t, &creds); err != nil {
			return nil, usagef("--dns-credentials-file: %s is not a JSON object of strings", file)
		}
		return creds, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, usagef("--dns-credentials-file %s, line %d: want KEY=VALUE", file, n)
		}
		creds[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return creds, nil
}
