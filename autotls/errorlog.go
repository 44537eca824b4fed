package autotls

import (
	"context"
	"log"
	"log/slog"
	"strings"
)

// errorLog is the ErrorLog of an http.Server, sent to logger: TLS
// handshake errors (scanners, clients that arrive before a name's
// certificate) at debug level, everything else (handler panics, accept
// errors) at error level.
func errorLog(logger *slog.Logger, server string) *log.Logger {
	return log.New(errorWriter{logger, "autotls: " + server + " server"}, "", 0)
}

type errorWriter struct {
	log *slog.Logger
	msg string
}

func (w errorWriter) Write(p []byte) (int, error) {
	detail := strings.TrimSpace(string(p))
	level := slog.LevelError
	if strings.Contains(detail, "TLS handshake error") {
		level = slog.LevelDebug
	}
	w.log.Log(context.Background(), level, w.msg, "error", detail)
	return len(p), nil
}
