package api

import (
	"net/http"

	"github.com/certs-dev/certs"
)

// importCustom answers POST /certificates/custom: 201 for a new hostname,
// 200 for one the caller held; an invalid upload is a 422 listing every
// problem and changes nothing.
func (h *handler) importCustom(w http.ResponseWriter, r *http.Request, p Principal) error {
	var in ImportCustom
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	name, err := normalize("hostname", in.Hostname)
	if err != nil {
		return err
	}
	names, err := normalizeAll("names", in.Names)
	if err != nil {
		return err
	}
	if err := checkMetadata(in.DisplayName, in.Labels); err != nil {
		return err
	}
	upload, err := in.Upload.input()
	if err != nil {
		return err
	}
	if rep := h.m.Validate(upload, name); !rep.Valid {
		return uploadProblem(rep)
	}
	unlock, err := h.locks.lock(r.Context(), name)
	if err != nil {
		return err
	}
	defer unlock()
	existed, err := h.claim(r.Context(), p, name)
	if err != nil {
		return err
	}
	opts := certs.ImportOptions{Names: names, AllNames: in.AllNames}
	if !existed {
		// A new hostname is stored with its tenant, so that the event of
		// the import (webhooks) already belongs to the tenant.
		opts.DisplayName, opts.Labels = newHostMetadata(p, in.DisplayName, in.Labels)
	}
	host, err := h.m.Import(r.Context(), name, upload, opts)
	if err != nil {
		return err
	}
	if host, err = h.settle(r.Context(), p, host, existed, in.DisplayName, in.Labels); err != nil {
		return err
	}
	return created(w, r, existed, host)
}

// uploadProblem is the 422 of an invalid upload: the first error's code,
// and every error listed.
func uploadProblem(rep *certs.Report) *Problem {
	items := toReport(rep, "").Errors
	if len(items) == 0 {
		return problem(codeInvalidCertificate, "the upload is not a valid certificate and key")
	}
	out := problem(items[0].Code, items[0].Detail)
	if len(items) > 1 {
		out.Errors = items
	}
	return out
}

// validate answers POST /certificates/validate: the report, 200 whether
// the upload is valid or not. Nothing is stored.
func (h *handler) validate(w http.ResponseWriter, r *http.Request, _ Principal) error {
	var in ValidateCustom
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	name := ""
	if in.Hostname != "" {
		var err error
		if name, err = normalize("hostname", in.Hostname); err != nil {
			return err
		}
	}
	upload, err := in.Upload.input()
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toReport(h.m.Validate(upload, name), name))
}

// input turns the upload's fields into a certs.Input, refusing fields
// that exclude each other.
func (u Upload) input() (certs.Input, error) {
	var in certs.Input
	cert, certField, err := u.one("fullchain", u.Fullchain, "certificate", u.Certificate, "certificate_der", u.CertificateDER)
	if err != nil {
		return in, err
	}
	chain, _, err := u.one("chain", u.Chain, "chain_der", u.ChainDER)
	if err != nil {
		return in, err
	}
	key, _, err := u.one("private_key", u.PrivateKey, "private_key_der", u.PrivateKeyDER)
	if err != nil {
		return in, err
	}
	switch {
	case u.PKCS12 != "" && (cert != nil || chain != nil || key != nil):
		return in, fieldProblem(codeInvalidField, "pkcs12", "give either pkcs12 (with password) or the certificate and private_key fields, not both")
	case u.PKCS12 != "":
		p12, err := decodeBase64("pkcs12", u.PKCS12)
		return certs.Input{PKCS12: p12, Password: u.Password}, err
	case cert == nil:
		return in, fieldProblem(codeMissingField, "fullchain", "give the certificate: fullchain (PEM), certificate (PEM) with chain, certificate_der (base64), or pkcs12 (base64)")
	case certField == "fullchain" && chain != nil:
		return in, fieldProblem(codeInvalidField, "chain", "fullchain already holds the chain; give certificate and chain, or fullchain alone")
	case u.Password != "":
		return in, fieldProblem(codeInvalidField, "password", "password is for pkcs12 only (encrypted PEM keys are not accepted; decrypt the key first)")
	}
	return certs.Input{Certificate: cert, Chain: chain, PrivateKey: key}, nil
}

// one returns the single value given among a text field and a base64
// DER field (and for the certificate, a second text field), and its name.
func (Upload) one(pairs ...string) ([]byte, string, error) {
	var (
		out   []byte
		field string
	)
	for i := 0; i+1 < len(pairs); i += 2 {
		name, v := pairs[i], pairs[i+1]
		if v == "" {
			continue
		}
		if field != "" {
			return nil, "", fieldProblem(codeInvalidField, name, "give "+field+" or "+name+", not both")
		}
		field = name
		if len(name) > 4 && name[len(name)-4:] == "_der" {
			b, err := decodeBase64(name, v)
			if err != nil {
				return nil, "", err
			}
			out = b
		} else {
			out = []byte(v)
		}
	}
	return out, field, nil
}
