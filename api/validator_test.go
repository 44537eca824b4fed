package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/certs-dev/certs/api"
)

// The OpenAPI document, loaded and validated once for the test binary;
// covered records "operationId status" of every answer checked.
var (
	docOnce sync.Once
	doc     *openapi3.T
	router  routers.Router
	docErr  error
	covered sync.Map
)

func init() {
	// The downloads are PEM text.
	openapi3filter.RegisterBodyDecoder("application/pem-certificate-chain", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/x-pem-file", openapi3filter.PlainBodyDecoder)
}

// loadDoc parses and validates the embedded OpenAPI document.
func loadDoc() (*openapi3.T, routers.Router, error) {
	docOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, docErr = loader.LoadFromData(api.OpenAPI())
		if docErr == nil {
			docErr = doc.Validate(context.Background())
		}
		if docErr == nil {
			router, docErr = gorillamux.NewRouter(doc)
		}
	})
	return doc, router, docErr
}

// validator checks every request and answer of a test server against the
// OpenAPI document, and keeps the answers for tests that inspect them all.
type validator struct {
	report func(format string, args ...any) // t.Errorf
	mu     sync.Mutex
	// answers are every answer's body, by "METHOD path status".
	answers []recordedAnswer
}

type recordedAnswer struct {
	route, contentType string
	status             int
	body               []byte
}

func newValidator(t *testing.T) *validator {
	_, _, err := loadDoc()
	if err != nil {
		t.Fatalf("the OpenAPI document: %v", err)
	}
	return &validator{report: t.Errorf}
}

// wrap runs h and, before the client gets the answer, checks it: against
// the operation the document has for the request, or for a request no
// operation takes, against the Problem schema.
func (v *validator) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			v.report("reading the request: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		v.check(r, body, rec)
		for k, vals := range rec.Header() {
			w.Header()[k] = vals
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// check validates one exchange.
func (v *validator) check(r *http.Request, reqBody []byte, rec *httptest.ResponseRecorder) {
	v.mu.Lock()
	v.answers = append(v.answers, recordedAnswer{route: r.Method + " " + r.URL.Path, contentType: rec.Header().Get("Content-Type"),
		status: rec.Code, body: bytes.Clone(rec.Body.Bytes())})
	v.mu.Unlock()
	ctx := context.Background()
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := router.FindRoute(req)
	if err != nil {
		v.checkProblem(r, rec)
		return
	}
	covered.Store(route.Operation.OperationID+" "+strconv.Itoa(rec.Code), true)
	reqInput := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(ctx, reqInput); err != nil && rec.Code < 400 {
		v.report("%s %s: the handler took a request the OpenAPI document refuses: %v\nbody: %s", r.Method, r.URL, err, reqBody)
	}
	respInput := &openapi3filter.ResponseValidationInput{RequestValidationInput: reqInput, Status: rec.Code,
		Header: rec.Header(), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	respInput.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(ctx, respInput); err != nil {
		v.report("%s %s: the answer %d does not match the OpenAPI document: %v\nbody: %s", r.Method, r.URL, rec.Code, err, rec.Body.Bytes())
	}
}

// checkProblem checks the answer to a request no operation takes: a
// problem, valid against the Problem schema.
func (v *validator) checkProblem(r *http.Request, rec *httptest.ResponseRecorder) {
	if rec.Code < 400 || rec.Header().Get("Content-Type") != "application/problem+json" {
		v.report("%s %s: no operation of the document takes it, yet the answer is %d %s", r.Method, r.URL, rec.Code, rec.Header().Get("Content-Type"))
		return
	}
	var value any
	if err := json.Unmarshal(rec.Body.Bytes(), &value); err != nil {
		v.report("%s %s: the problem is not JSON: %v", r.Method, r.URL, err)
		return
	}
	schema := doc.Components.Schemas["Problem"].Value
	if err := schema.VisitJSON(value, openapi3.EnableJSONSchema2020()); err != nil {
		v.report("%s %s: the problem does not match the Problem schema: %v\nbody: %s", r.Method, r.URL, err, rec.Body.Bytes())
	}
}

// bodies returns every answer body so far, but those of route prefixes
// given.
func (v *validator) bodies() []recordedAnswer {
	v.mu.Lock()
	defer v.mu.Unlock()
	return slices.Clone(v.answers)
}

// TestMain runs the tests and, when all of them ran, checks that every
// operation of the OpenAPI document answered with success at least once.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == "" && !testing.Short() {
		if missing := uncovered(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "operations of the OpenAPI document that no test ran with success: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// uncovered lists the operations without a 2xx answer in this run.
func uncovered() []string {
	d, _, err := loadDoc()
	if err != nil {
		return []string{err.Error()}
	}
	var missing []string
	for _, item := range d.Paths.Map() {
		for _, op := range item.Operations() {
			ok := false
			for _, status := range []string{"200", "201", "204"} {
				if _, seen := covered.Load(op.OperationID + " " + status); seen {
					ok = true
				}
			}
			if !ok {
				missing = append(missing, op.OperationID)
			}
		}
	}
	sort.Strings(missing)
	return missing
}
