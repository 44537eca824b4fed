package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/webhook"
)

// handler serves the certificate API over one Manager.
type handler struct {
	m       *certs.Manager
	auth    func(*http.Request) (Principal, error)
	log     *slog.Logger
	maxBody int64
	mux     *http.ServeMux
	locks   hostLocks
	// webhooks serves /webhooks; nil when not enabled.
	webhooks *webhook.Dispatcher
}

// opFunc is one operation: it answers w, or returns the error to answer
// as a problem.
type opFunc func(w http.ResponseWriter, r *http.Request, p Principal) error

// NewHandler returns the certificate API over m (see the package
// documentation for the endpoints). Mount it where you like, under a
// prefix with http.StripPrefix. Every error is an RFC 9457 problem.
func NewHandler(m *certs.Manager, cfg Config) http.Handler {
	h := &handler{m: m, auth: cfg.Authorize, log: cfg.Logger, maxBody: cfg.MaxBodyBytes, mux: http.NewServeMux(), webhooks: cfg.Webhooks}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	h.routes()
	return h
}

// routes registers every endpoint with the scope it needs.
func (h *handler) routes() {
	h.mux.HandleFunc("GET /openapi.yaml", serveOpenAPI)
	for _, rt := range []struct {
		pattern string
		scope   Scope
		op      opFunc
	}{
		{"GET /certificates", ScopeRead, h.list},
		{"POST /certificates/acme", ScopeWrite, h.requestACME},
		{"POST /certificates/custom", ScopeWrite, h.importCustom},
		{"POST /certificates/validate", ScopeWrite, h.validate},
		{"GET /certificates/{hostname}", ScopeRead, h.get},
		{"DELETE /certificates/{hostname}", ScopeWrite, h.remove},
		{"POST /certificates/{hostname}/check", ScopeWrite, h.check},
		{"GET /certificates/{hostname}/status", ScopeRead, h.status},
		{"POST /certificates/{hostname}/renew", ScopeWrite, h.renew},
		{"POST /certificates/{hostname}/revoke", ScopeWrite, h.revoke},
		{"PATCH /certificates/{hostname}/acme", ScopeWrite, h.acmeSettings},
		{"DELETE /certificates/{hostname}/acme", ScopeWrite, h.removeACME},
		{"DELETE /certificates/{hostname}/custom", ScopeWrite, h.removeCustom},
		{"PUT /certificates/{hostname}/metadata", ScopeWrite, h.setMetadata},
		{"GET /certificates/{hostname}/download", ScopeRead, h.download},
		{"GET /certificates/{hostname}/private_key", ScopeKeys, h.privateKey},
		{"GET /explain/{server_name}", ScopeRead, h.explain},
		{"POST /webhooks", ScopeWrite, h.createWebhook},
		{"GET /webhooks", ScopeRead, h.listWebhooks},
		{"GET /webhooks/{id}", ScopeRead, h.getWebhook},
		{"DELETE /webhooks/{id}", ScopeWrite, h.deleteWebhook},
		{"GET /webhooks/{id}/deliveries", ScopeRead, h.listDeliveries},
		{"POST /webhooks/{id}/deliveries/{delivery}/redeliver", ScopeWrite, h.redeliver},
	} {
		h.mux.Handle(rt.pattern, h.endpoint(rt.scope, rt.op))
	}
}

// endpoint authorizes a request for scope and runs op.
func (h *handler) endpoint(scope Scope, op opFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, prob := h.authorize(r, scope)
		if prob != nil {
			writeProblem(w, r, prob)
			return
		}
		setPrincipal(r, p)
		if err := op(w, r, p); err != nil {
			h.fail(w, r, p, err)
		}
	})
}

// authorize asks Config.Authorize who the caller is and checks scope.
func (h *handler) authorize(r *http.Request, scope Scope) (Principal, *Problem) {
	if h.auth == nil {
		return Principal{}, problem(codeUnauthenticated, "this API accepts no credentials yet: the server has no authorizer configured")
	}
	p, err := h.auth(r)
	if err == nil {
		err = checkPrincipal(p)
	}
	switch {
	case errors.Is(err, ErrForbidden):
		return p, problem(codeForbidden, userMessage(err))
	case errors.Is(err, ErrUnauthenticated):
		return p, problem(codeUnauthenticated, userMessage(err))
	case err != nil:
		h.log.WarnContext(r.Context(), "api: the authorizer failed", "error", err)
		return p, problem(codeAuthorizationFailed, "the credentials could not be checked; try again")
	case !p.Has(scope):
		return p, problem(codeForbidden, "these credentials lack the "+string(scope)+" scope this endpoint needs")
	}
	return p, nil
}

// fail answers err as a problem; an error no table maps is an internal
// error, logged with its cause and answered without it.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, p Principal, err error) {
	prob := h.problemFor(r.Context(), p, err)
	if prob != nil && prob.Status >= 500 {
		h.log.WarnContext(r.Context(), "api: operation not completed", "method", r.Method, "path", r.URL.Path, "code", prob.Code, "error", err)
	}
	if prob == nil {
		h.log.ErrorContext(r.Context(), "api: internal error", "method", r.Method, "path", r.URL.Path, "tenant", p.Tenant, "error", err)
		prob = problem(codeInternal, "an internal error occurred; the operation may not have completed. Try again, and contact the platform's support if it persists")
	}
	writeProblem(w, r, prob)
}

// ServeHTTP routes the request, answers unknown routes and methods with
// problems, and logs one line per request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	r = withPrincipalSlot(r)
	next, pattern := h.mux.Handler(r)
	if pattern == "" {
		h.unrouted(rec, r, next)
	} else {
		h.mux.ServeHTTP(rec, r) // sets the path values
	}
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelError
	}
	h.log.Log(r.Context(), level, "api: request", "method", r.Method, "route", pattern, "status", rec.status,
		"tenant", principalOf(r).Tenant, "subject", principalOf(r).Subject, "duration", time.Since(start))
}

// unrouted answers a request no route takes: the mux's 404 or 405 (with
// its Allow header) as a problem.
func (h *handler) unrouted(w http.ResponseWriter, r *http.Request, muxAnswer http.Handler) {
	probe := &probeWriter{header: http.Header{}}
	muxAnswer.ServeHTTP(probe, r)
	if probe.status == http.StatusMethodNotAllowed {
		allow := probe.header.Get("Allow")
		w.Header().Set("Allow", allow)
		writeProblem(w, r, problem(codeMethodNotAllowed, r.Method+" is not allowed here; use "+allow))
		return
	}
	writeProblem(w, r, problem(codeNoSuchEndpoint, "there is no endpoint at this path; see GET /openapi.yaml"))
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records code and writes it.
func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// probeWriter takes the mux's own answer to an unrouted request, to learn
// its status and Allow header.
type probeWriter struct {
	header http.Header
	status int
}

// Header is the header the mux sets.
func (p *probeWriter) Header() http.Header { return p.header }

// Write drops the mux's text body.
func (p *probeWriter) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader records the mux's status.
func (p *probeWriter) WriteHeader(code int) { p.status = code }

type principalKey struct{}

// withPrincipalSlot gives r a place for its principal, for the log line.
func withPrincipalSlot(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), principalKey{}, new(Principal)))
}

// setPrincipal records p as r's caller.
func setPrincipal(r *http.Request, p Principal) {
	if slot, ok := r.Context().Value(principalKey{}).(*Principal); ok {
		*slot = p
	}
}

// principalOf is r's caller, once authorized.
func principalOf(r *http.Request) Principal {
	if slot, ok := r.Context().Value(principalKey{}).(*Principal); ok {
		return *slot
	}
	return Principal{}
}
