package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/certs-dev/certs/api"
)

// printJSON prints v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// date formats a time for tables ("-" for none).
func date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printHostTable prints one line per hostname: the certificate it serves.
func printHostTable(w io.Writer, views []hostView, total int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOSTNAME\tSTATUS\tSOURCE\tEXPIRES (UTC)\tDAYS\tISSUER\tNAMES")
	for _, v := range views {
		src, expires, days, issuer := "-", "-", "-", "-"
		if c := v.served(); c != nil {
			src, expires, days, issuer = c.Source, date(c.NotAfter), fmt.Sprint(c.Days), orDash(shortIssuer(c.Issuer))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Hostname, v.Status, src, expires, days, issuer,
			orDash(strings.Join(v.ServedNames, ",")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(views) == 0 {
		_, err := fmt.Fprintln(w, "(no hostnames)")
		return err
	}
	if total > len(views) {
		_, err := fmt.Fprintf(w, "(%d of %d hostnames; see --limit)\n", len(views), total)
		return err
	}
	return nil
}

// shortIssuer is the CN of a distinguished name, or the name itself.
func shortIssuer(dn string) string {
	for _, part := range strings.Split(dn, ",") {
		if cn, ok := strings.CutPrefix(strings.TrimSpace(part), "CN="); ok {
			return cn
		}
	}
	return dn
}

// printHost prints everything about one hostname.
func printHost(w io.Writer, v hostView) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, args...)) }
	row("hostname", "%s", v.Hostname)
	row("status", "%s", v.Status)
	row("served names", "%s", orDash(strings.Join(v.ServedNames, ", ")))
	for _, c := range v.Certs {
		certRows(row, c)
	}
	if p := v.Pending; p != nil {
		row("pending order", "%s, %d failed attempts", strings.Join(p.Names, ", "), p.Attempts)
		if p.LastError != "" {
			row("  last error", "%s", p.LastError)
		}
		if p.NextAt != nil {
			row("  next attempt", "%s", date(*p.NextAt))
		}
	}
	if v.RateLimitedUntil != nil {
		row("rate limited until", "%s", date(*v.RateLimitedUntil))
	}
	for _, p := range append(v.OrderProblems, v.DNSProblems...) {
		row("to fix", "%s", p)
	}
	return tw.Flush()
}

// certRows prints one certificate of printHost.
func certRows(row func(k, format string, args ...any), c certView) {
	row(c.Source+" certificate", "%s, expires %s UTC (%d days)", c.Status, date(c.NotAfter), c.Days)
	row("  names", "%s", strings.Join(c.Names, ", "))
	row("  issuer", "%s", orDash(c.Issuer))
	row("  key", "%s", c.KeyType)
	row("  serial", "%s", c.Serial)
	row("  sha-256", "%s", c.Fingerprint)
	if c.AutoRenew != nil {
		next := ""
		if c.NextRenewal != nil {
			next = ", next renewal " + date(*c.NextRenewal) + " UTC"
		}
		row("  auto-renew", "%v%s", *c.AutoRenew, next)
	}
	if c.LastRenewError != "" {
		row("  last renewal error", "%s", c.LastRenewError)
	}
	if c.RevokedAt != nil {
		row("  revoked", "%s UTC (reason %s)", date(*c.RevokedAt), orDash(c.RevokedBecause))
	}
	for _, warn := range c.Warnings {
		row("  warning", "%s", warn)
	}
}

// printReport prints a validation report.
func printReport(w io.Writer, r *api.ValidationReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	verdict := "valid"
	if !r.Valid {
		verdict = "INVALID"
	}
	fmt.Fprintf(tw, "upload\t%s\n", verdict)
	for _, e := range r.Errors {
		fmt.Fprintf(tw, "error %s\t%s\n", e.Code, e.Detail)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(tw, "warning %s\t%s\n", wn.Code, wn.Message)
	}
	if f := r.Facts; f != nil {
		fmt.Fprintf(tw, "subject\t%s\n", f.CommonName)
		fmt.Fprintf(tw, "names\t%s\n", strings.Join(f.SANs, ", "))
		fmt.Fprintf(tw, "issuer\t%s\n", f.Issuer)
		fmt.Fprintf(tw, "valid\t%s to %s UTC\n", date(f.NotBefore), date(f.ExpiresAt))
		fmt.Fprintf(tw, "key\t%s\n", keyType(f.KeyType, f.KeyBits))
		fmt.Fprintf(tw, "sha-256\t%s\n", f.FingerprintSHA256)
	}
	return tw.Flush()
}
