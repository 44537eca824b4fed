package api

import (
	"net/http"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/validate"
)

// check answers POST /certificates/{hostname}/check: a fresh DNS lookup,
// stored on the hostname, answered with the records found.
func (h *handler) check(w http.ResponseWriter, r *http.Request, p Principal) error {
	name, err := hostParam(r)
	if err != nil {
		return err
	}
	unlock, err := h.locks.lock(r.Context(), name)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := h.owned(r.Context(), p, name); err != nil {
		return err
	}
	res, err := h.m.Check(r.Context(), name)
	if err != nil {
		return err
	}
	out := CheckResult{Hostname: toHostname(res.Host)}
	if res.DNS != nil {
		out.DNSRecords = toRecords(res.DNS.Records)
	} else {
		out.DNSRecords = toRecords(validate.DNSRecords{})
	}
	return writeJSON(w, http.StatusOK, out)
}

// status answers GET /certificates/{hostname}/status.
func (h *handler) status(w http.ResponseWriter, r *http.Request, p Principal) error {
	name, err := hostParam(r)
	if err != nil {
		return err
	}
	host, err := h.owned(r.Context(), p, name)
	if err != nil {
		return err
	}
	st, err := h.m.Status(r.Context(), name)
	if err == nil {
		err = h.recheck(r.Context(), p, host)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toStatus(st))
}

// explain answers GET /explain/{server_name}: which of the caller's
// hostnames and certificates a handshake for the name gets, and why. A
// name served by another tenant's hostname is not_served, like a name
// nothing serves.
func (h *handler) explain(w http.ResponseWriter, r *http.Request, p Principal) error {
	name, err := normalize("server_name", r.PathValue("server_name"))
	if err != nil {
		return err
	}
	notServed := problem(codeNotServed, "no hostname of yours serves "+name)
	ex, err := h.m.Explain(r.Context(), name)
	if err != nil {
		if problemCode(h.problemFor(r.Context(), p, err)) == codeNotServed {
			return notServed
		}
		return err
	}
	host, err := h.owned(r.Context(), p, ex.Hostname)
	if err != nil {
		return notServed
	}
	out := Explanation{ServerName: ex.ServerName, MatchedName: ex.MatchedName, Match: string(ex.Match),
		Hostname: ex.Hostname, Source: string(ex.Source), Reason: ex.Reason}
	if c := host.Certificate(ex.Source); c != nil {
		cert := toCertificate(c, altOf(host, ex.Source))
		out.Certificate = &cert
	}
	return writeJSON(w, http.StatusOK, out)
}

// altOf is the ACME certificate of the other key family for src acme.
func altOf(h *certs.Host, src certs.Source) *certs.Certificate {
	if src == certs.SourceACME {
		return h.ACMEAlt
	}
	return nil
}

// problemCode is p's code, or "" for nil.
func problemCode(p *Problem) string {
	if p == nil {
		return ""
	}
	return p.Code
}
