package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/certs-dev/certs"
)

// progress prints the slow steps of a command on stderr, each with the
// time since the command started: "[  0.4s] order placed for shop.example.com".
// Its methods are safe for concurrent use.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	quiet   bool
	verbose bool
	start   time.Time
}

func newProgress(w io.Writer, s *settings) *progress {
	return &progress{w: w, quiet: s.quiet, verbose: s.verbose, start: time.Now()}
}

// Printf prints one progress line unless quiet.
func (p *progress) Printf(format string, args ...any) {
	if p.quiet {
		return
	}
	p.line(fmt.Sprintf(format, args...))
}

func (p *progress) line(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), msg)
}

// event prints a Manager event as a progress line.
func (p *progress) event(ev certs.Event) {
	switch ev.Type {
	case certs.EventIssued, certs.EventRenewed:
		until := ""
		if ev.Certificate != nil {
			until = ", valid until " + ev.Certificate.NotAfter.UTC().Format(time.RFC3339)
		}
		p.Printf("%s: ACME certificate %s%s", ev.Hostname, ev.Type, until)
	case certs.EventObtainFailed, certs.EventRenewalFailed:
		p.Printf("%s: %s: %s", ev.Hostname, strings.ReplaceAll(string(ev.Type), "_", " "), ev.Err)
	case certs.EventRevoked, certs.EventImported, certs.EventRemoved:
		p.Printf("%s: %s %s", ev.Hostname, ev.Source, ev.Type)
	}
}

// logger is the library's logger for a command: the log lines that mark a
// slow step become progress lines, warnings are printed, and everything
// else only with -v.
func (p *progress) logger() *slog.Logger { return slog.New(&progressHandler{p: p}) }

// progressHandler is the slog.Handler of progress.logger.
type progressHandler struct {
	p     *progress
	attrs []slog.Attr
}

func (h *progressHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *progressHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &progressHandler{p: h.p, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], as...)}
}

// WithGroup keeps the attributes flat: progress lines name no groups.
func (h *progressHandler) WithGroup(string) slog.Handler { return h }

func (h *progressHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]string{}
	for _, a := range h.attrs {
		attrs[a.Key] = a.Value.String()
	}
	r.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.String()
		return true
	})
	if line := stepLine(r.Message, attrs); line != "" {
		h.p.Printf("%s", line)
		return nil
	}
	if r.Level >= slog.LevelWarn || h.p.verbose {
		h.p.line(strings.ToLower(r.Level.String()) + ": " + r.Message + formatAttrs(r, h.attrs))
	}
	return nil
}

// steps turn the library's log lines that mark a step of an ACME order
// into progress lines.
var steps = map[string]func(a map[string]string) string{
	"acme: account registered": func(a map[string]string) string {
		return "ACME account registered at " + a["directory"]
	},
	"certs: challenge chosen": func(a map[string]string) string {
		return a["hostname"] + ": challenge " + a["challenge"] + " (" + a["reason"] + ")"
	},
	"acme: order placed": func(a map[string]string) string { return "order placed for " + a["names"] },
	"acme: challenge presented": func(a map[string]string) string {
		return a["domain"] + ": " + a["challenge"] + " challenge ready, the CA is validating"
	},
	"acme: the CA has not started validating; asking again": func(a map[string]string) string {
		return a["domain"] + ": the CA has not started validating; asking again"
	},
	"acme: authorization valid": func(a map[string]string) string {
		return a["domain"] + ": validated (" + a["challenge"] + ")"
	},
	"acme: certificate issued": func(a map[string]string) string { return "certificate issued for " + a["names"] },
	"acme: certificate revoked": func(a map[string]string) string {
		return "certificate revoked at the CA (serial " + a["serial"] + ")"
	},
}

// stepLine is the progress line for a log message, or "".
func stepLine(msg string, attrs map[string]string) string {
	if f, ok := steps[msg]; ok {
		return f(attrs)
	}
	if strings.HasPrefix(msg, "acme: challenge invalid") {
		return attrs["domain"] + ": the CA could not validate " + attrs["challenge"]
	}
	return ""
}

// formatAttrs renders attributes as " key=value ...".
func formatAttrs(r slog.Record, pre []slog.Attr) string {
	var b strings.Builder
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%q", a.Key, a.Value.String())
		return true
	}
	for _, a := range pre {
		add(a)
	}
	r.Attrs(add)
	return b.String()
}
