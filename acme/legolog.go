package acme

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	legolog "github.com/go-acme/lego/v4/log"
)

// LegoLogger adapts l to lego's logger interface. lego logs through the
// process-global variable legolog.Logger (github.com/go-acme/lego/v4/log),
// shared by every lego user in the process; this package never sets it.
// Set it yourself once, at program start, before any Issuer runs:
//
//	legolog.Logger = acme.LegoLogger(logger)
//
// lego's "[INFO]" lines become Debug records, "[WARN]" lines Warn records,
// other lines Info records. Fatal methods log at Error and exit, as the
// standard logger's do (lego's library code never calls them).
func LegoLogger(l *slog.Logger) legolog.StdLogger {
	return &legoLogger{l: l}
}

type legoLogger struct{ l *slog.Logger }

func (g *legoLogger) log(msg string) {
	msg = strings.TrimRight(msg, "\n")
	level := slog.LevelInfo
	switch {
	case strings.HasPrefix(msg, "[INFO] "):
		level, msg = slog.LevelDebug, strings.TrimPrefix(msg, "[INFO] ")
	case strings.HasPrefix(msg, "[WARN] "):
		level, msg = slog.LevelWarn, strings.TrimPrefix(msg, "[WARN] ")
	}
	g.l.Log(context.Background(), level, msg, "source", "lego")
}

func (g *legoLogger) fatal(msg string) {
	g.l.Log(context.Background(), slog.LevelError, strings.TrimRight(msg, "\n"), "source", "lego")
	os.Exit(1)
}

// Print logs like fmt.Sprint.
func (g *legoLogger) Print(args ...any) { g.log(fmt.Sprint(args...)) }

// Println logs like fmt.Sprintln.
func (g *legoLogger) Println(args ...any) { g.log(fmt.Sprintln(args...)) }

// Printf logs like fmt.Sprintf.
func (g *legoLogger) Printf(format string, args ...any) { g.log(fmt.Sprintf(format, args...)) }

// Fatal logs at Error and exits.
func (g *legoLogger) Fatal(args ...any) { g.fatal(fmt.Sprint(args...)) }

// Fatalln logs at Error and exits.
func (g *legoLogger) Fatalln(args ...any) { g.fatal(fmt.Sprintln(args...)) }

// Fatalf logs at Error and exits.
func (g *legoLogger) Fatalf(format string, args ...any) { g.fatal(fmt.Sprintf(format, args...)) }
