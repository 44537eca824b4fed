package api

import (
	"net/http"

	"github.com/certs-dev/certs"
)

// get answers GET /certificates/{hostname}.
func (h *handler) get(w http.ResponseWriter, r *http.Request, p Principal) error {
	name, err := hostParam(r)
	if err != nil {
		return err
	}
	host, err := h.owned(r.Context(), p, name)
	if err != nil {
		return err
	}
	return writeHost(w, http.StatusOK, host)
}

// mutate runs fn on the caller's hostname of the path, under the
// hostname's lock, and answers the hostname it returns with 200.
func (h *handler) mutate(w http.ResponseWriter, r *http.Request, p Principal,
	fn func(host *certs.Host) (*certs.Host, error)) error {
	name, err := hostParam(r)
	if err != nil {
		return err
	}
	unlock, err := h.locks.lock(r.Context(), name)
	if err != nil {
		return err
	}
	defer unlock()
	host, err := h.owned(r.Context(), p, name)
	if err != nil {
		return err
	}
	out, err := fn(host)
	if err != nil {
		return err
	}
	return writeHost(w, http.StatusOK, out)
}

// remove answers DELETE /certificates/{hostname}: 204, or 404 for a
// hostname the caller does not hold.
func (h *handler) remove(w http.ResponseWriter, r *http.Request, p Principal) error {
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
	if err := h.m.Remove(r.Context(), name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeACME answers DELETE /certificates/{hostname}/acme.
func (h *handler) removeACME(w http.ResponseWriter, r *http.Request, p Principal) error {
	return h.mutate(w, r, p, func(host *certs.Host) (*certs.Host, error) {
		return h.m.RemoveACME(r.Context(), host.Hostname)
	})
}

// removeCustom answers DELETE /certificates/{hostname}/custom.
func (h *handler) removeCustom(w http.ResponseWriter, r *http.Request, p Principal) error {
	return h.mutate(w, r, p, func(host *certs.Host) (*certs.Host, error) {
		return h.m.RemoveCustom(r.Context(), host.Hostname)
	})
}

// setMetadata answers PUT /certificates/{hostname}/metadata.
func (h *handler) setMetadata(w http.ResponseWriter, r *http.Request, p Principal) error {
	var in Metadata
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	if err := checkMetadata(&in.DisplayName, in.Labels); err != nil {
		return err
	}
	return h.mutate(w, r, p, func(host *certs.Host) (*certs.Host, error) {
		return h.m.SetMetadata(r.Context(), host.Hostname, certs.Metadata{
			DisplayName: in.DisplayName, Labels: withReserved(in.Labels, host.Labels)})
	})
}
