package api

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/certs-dev/certs"
)

// Media types of the downloads.
const (
	pemChainType = "application/pem-certificate-chain"
	pemFileType  = "application/x-pem-file"
)

// download answers GET /certificates/{hostname}/download?source=&kind=:
// PEM (or JSON with Accept: application/json) of the full chain (the
// default), the chain or the leaf, of the certificate served (the
// default), or the custom or ACME one.
func (h *handler) download(w http.ResponseWriter, r *http.Request, p Principal) error {
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = string(certs.PEMFullChain)
	}
	if kind != string(certs.PEMFullChain) && kind != string(certs.PEMChain) && kind != string(certs.PEMLeaf) {
		return fieldProblem(codeInvalidQuery, "kind", fmt.Sprintf("kind must be fullchain, chain or leaf, not %.40q", kind))
	}
	asJSON, err := wantsJSON(r, pemChainType)
	if err != nil {
		return err
	}
	host, src, err := h.source(r, p)
	if err != nil {
		return err
	}
	data, err := h.m.PEM(r.Context(), host.Hostname, src, certs.PEMKind(kind))
	if err == nil {
		err = h.recheck(r.Context(), p, host)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, http.StatusOK, PEMDownload{Hostname: host.Hostname, Source: string(src), Kind: kind, PEM: string(data)})
	}
	return writePEM(w, pemChainType, data)
}

// privateKey answers GET /certificates/{hostname}/private_key?source=,
// with the keys scope only.
func (h *handler) privateKey(w http.ResponseWriter, r *http.Request, p Principal) error {
	asJSON, err := wantsJSON(r, pemFileType)
	if err != nil {
		return err
	}
	host, src, err := h.source(r, p)
	if err != nil {
		return err
	}
	key, err := h.m.PrivateKey(r.Context(), host.Hostname, src)
	if err == nil {
		err = h.recheck(r.Context(), p, host)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(w, http.StatusOK, PrivateKey{Hostname: host.Hostname, Source: string(src), PEM: string(key)})
	}
	return writePEM(w, pemFileType, key)
}

// source is the caller's hostname of the path and the source the query
// asks for: custom, acme, or (empty) the one served.
func (h *handler) source(r *http.Request, p Principal) (*certs.Host, certs.Source, error) {
	name, err := hostParam(r)
	if err != nil {
		return nil, "", err
	}
	src := certs.Source(r.URL.Query().Get("source"))
	if src != "" && src != certs.SourceCustom && src != certs.SourceACME {
		return nil, "", fieldProblem(codeInvalidQuery, "source", fmt.Sprintf("source must be custom or acme, not %.40q", src))
	}
	host, err := h.owned(r.Context(), p, name)
	if err != nil {
		return nil, "", err
	}
	if src == "" {
		src, err = h.served(r.Context(), host)
	}
	return host, src, err
}

// served is the source of the certificate host serves.
func (h *handler) served(ctx context.Context, host *certs.Host) (certs.Source, error) {
	st, err := h.m.Status(ctx, host.Hostname)
	if err != nil {
		return "", err
	}
	if st.Source == "" {
		return "", problem(codeNoCertificate, fmt.Sprintf("%s has no certificate yet; wait for its ACME order, or upload a custom certificate", host.Hostname))
	}
	return st.Source, nil
}

// wantsJSON reports whether the request's Accept header prefers JSON to
// the PEM media type (a tie goes to PEM); an Accept header allowing
// neither is a 406.
func wantsJSON(r *http.Request, pemType string) (bool, error) {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return false, nil
	}
	qJSON, qPEM := 0.0, 0.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		switch mt {
		case "application/json":
			qJSON = max(qJSON, q)
		case pemType, "*/*", "application/*":
			qPEM = max(qPEM, q)
		}
	}
	if qJSON == 0 && qPEM == 0 {
		return false, problem(codeNotAcceptable, "this endpoint answers "+pemType+" or application/json")
	}
	return qJSON > qPEM, nil
}

// writePEM answers PEM data.
func writePEM(w http.ResponseWriter, mediaType string, data []byte) error {
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(data)
	return err
}
