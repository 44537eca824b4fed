package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/certs-dev/certs"
)

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// writeHost answers a hostname resource.
func writeHost(w http.ResponseWriter, status int, h *certs.Host) error {
	return writeJSON(w, status, toHostname(h))
}

// hostParam is the normalized {hostname} of the path ("%2A.example.com"
// for a wildcard).
func hostParam(r *http.Request) (string, error) {
	return normalize("hostname", r.PathValue("hostname"))
}

// normalize normalizes a hostname given in field.
func normalize(field, raw string) (string, error) {
	if raw == "" {
		return "", fieldProblem(codeMissingField, field, field+" is required")
	}
	name, err := certs.NormalizeHostname(raw)
	if err != nil {
		return "", fieldProblem(codeInvalidHostname, field, userMessage(err))
	}
	return name, nil
}

// normalizeAll normalizes the hostnames of a list field.
func normalizeAll(field string, raw []string) ([]string, error) {
	out := make([]string, 0, len(raw))
	for i, n := range raw {
		name, err := normalize(fmt.Sprintf("%s[%d]", field, i), n)
		if err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, nil
}

// location is the path of a hostname resource, under the prefix the
// handler is mounted at.
func location(r *http.Request, name string) string {
	return mountPrefix(r) + "/certificates/" + pathEscape(name)
}

// mountPrefix is the part of the request's path that a wrapper such as
// http.StripPrefix removed before the handler saw it ("" at the root).
func mountPrefix(r *http.Request) string {
	orig, _, _ := strings.Cut(r.RequestURI, "?")
	if prefix, ok := strings.CutSuffix(orig, r.URL.EscapedPath()); ok && strings.HasPrefix(prefix, "/") {
		return strings.TrimSuffix(prefix, "/")
	}
	return ""
}

// pathEscape escapes a hostname for a path ("*" as %2A).
func pathEscape(name string) string {
	out := make([]byte, 0, len(name)+2)
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == '*' {
			out = append(out, "%2A"...)
		} else {
			out = append(out, c)
		}
	}
	return string(out)
}
