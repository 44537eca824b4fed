package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Problem is an RFC 9457 problem details object: the body of every error
// answer, as application/problem+json. Code is stable and
// machine-readable (see problems.md); Detail speaks to the platform's end
// user and says what to do. The Client returns a *Problem as its error.
type Problem struct {
	// Type is a URI naming the problem: ProblemTypeBase + Code.
	Type string `json:"type"`
	// Title is a short, fixed summary of the problem type.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence.
	Detail string `json:"detail"`
	// Instance is the request path (with the prefix the handler is
	// mounted under).
	Instance string `json:"instance,omitempty"`
	// Code is the stable machine code.
	Code string `json:"code"`
	// Field names the request field, query parameter or path parameter
	// at fault, when one is (dotted for nested fields).
	Field string `json:"field,omitempty"`
	// Errors list every problem of an upload that has several.
	Errors []ProblemItem `json:"errors,omitempty"`
	// ValidationErrors are the CA's challenge problems of a failed order.
	ValidationErrors []ValidationError `json:"validation_errors,omitempty"`
	// RetryAfter is when to try again (429; also in the Retry-After
	// header).
	RetryAfter *time.Time `json:"retry_after,omitempty"`
}

// ProblemItem is one of several problems of an upload.
type ProblemItem struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// ProblemTypeBase prefixes every Problem.Type; the fragment is the code.
const ProblemTypeBase = "https://github.com/certs-dev/certs/blob/main/api/problems.md#"

// Error implements the error interface.
func (p *Problem) Error() string {
	if p.Field != "" {
		return fmt.Sprintf("api: %d %s (%s): %s", p.Status, p.Code, p.Field, p.Detail)
	}
	return fmt.Sprintf("api: %d %s: %s", p.Status, p.Code, p.Detail)
}

// Is makes errors.Is match the root package's sentinel of the problem's
// code (certs.ErrNotFound for not_found, certs.ErrKeyMismatch for
// key_mismatch, ...), so that code written against a Manager works
// against a Client.
func (p *Problem) Is(target error) bool {
	s, ok := sentinels[p.Code]
	return ok && s == target
}

// problem builds the Problem of code with its fixed status and title.
func problem(code, detail string) *Problem {
	info, ok := problemCodes[code]
	if !ok {
		info = problemCodes[codeInternal]
		code = codeInternal
	}
	return &Problem{Type: ProblemTypeBase + code, Title: info.title, Status: info.status, Detail: detail, Code: code}
}

// fieldProblem is a problem about one request field.
func fieldProblem(code, field, detail string) *Problem {
	p := problem(code, detail)
	p.Field = field
	return p
}

// writeProblem answers with p.
func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	p.Instance = mountPrefix(r) + r.URL.EscapedPath()
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="certificates"`)
	}
	if p.RetryAfter != nil {
		secs := max(int64(time.Until(*p.RetryAfter).Round(time.Second)/time.Second), 1)
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
