package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// decode reads r's JSON body into dst: at most maxBody bytes, one object,
// no unknown fields. Every failure is a *Problem naming the field at
// fault. An empty body is allowed when optional.
func (h *handler) decode(w http.ResponseWriter, r *http.Request, dst any, optional bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return problem(codeUnsupportedMedia, fmt.Sprintf("the body must be JSON (Content-Type: application/json), not %.60q", ct))
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, h.maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if errors.Is(err, io.EOF) {
			if optional {
				return nil
			}
			return problem(codeInvalidJSON, "the request needs a JSON object as its body")
		}
		return decodeProblem(err, h.maxBody)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeProblem(err, h.maxBody)
		}
		return problem(codeInvalidJSON, "the body must hold one JSON object and nothing after it")
	}
	return nil
}

// decodeProblem turns an encoding/json error into a Problem.
func decodeProblem(err error, maxBody int64) *Problem {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return problem(codeRequestTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxBody))
	case errors.As(err, &syn):
		return problem(codeInvalidJSON, fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: ")))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return problem(codeInvalidJSON, fmt.Sprintf("the body must be a JSON object, not %s", typ.Value))
		}
		return fieldProblem(codeInvalidType, field, fmt.Sprintf("%s must be %s, not %s", field, jsonKind(typ.Type), typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return problem(codeInvalidJSON, "the JSON body ends too early")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return fieldProblem(codeUnknownField, name, fmt.Sprintf("%.100q is not a field of this request; check its spelling against the API documentation", name))
	}
	return problem(codeInvalidJSON, strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names the JSON type that a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "of another type"
}

// decodeBase64 decodes the base64 (standard or URL alphabet, padded or
// not) of field.
func decodeBase64(field, s string) ([]byte, error) {
	s = strings.TrimRight(strings.Join(strings.Fields(s), ""), "=")
	enc := base64.RawStdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.RawURLEncoding
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, fieldProblem(codeInvalidField, field, fmt.Sprintf("%s must be base64: %v", field, err))
	}
	return b, nil
}
