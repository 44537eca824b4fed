package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/certs-dev/certs"
)

// requestACME answers POST /certificates/acme: 201 with the new hostname
// (pending_validation; the scheduler places the order), 200 for a
// hostname the caller already held or a dry run.
func (h *handler) requestACME(w http.ResponseWriter, r *http.Request, p Principal) error {
	var in RequestACME
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	name, opts, err := obtainOptions(in)
	if err != nil {
		return err
	}
	if err := checkMetadata(in.DisplayName, in.Labels); err != nil {
		return err
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
	if !existed && !opts.DryRun {
		opts.DisplayName, opts.Labels = newHostMetadata(p, in.DisplayName, in.Labels)
	}
	host, err := h.m.Request(r.Context(), name, opts)
	if err != nil {
		return err
	}
	if opts.DryRun {
		return writeHost(w, http.StatusOK, host)
	}
	if host, err = h.settle(r.Context(), p, host, existed, in.DisplayName, in.Labels); err != nil {
		return err
	}
	return created(w, r, existed, host)
}

// created answers 201 with a Location for a new hostname, else 200.
func created(w http.ResponseWriter, r *http.Request, existed bool, host *certs.Host) error {
	if existed {
		return writeHost(w, http.StatusOK, host)
	}
	w.Header().Set("Location", location(r, host.Hostname))
	return writeHost(w, http.StatusCreated, host)
}

// obtainOptions checks a RequestACME and turns it into ObtainOptions.
func obtainOptions(in RequestACME) (string, certs.ObtainOptions, error) {
	name, err := normalize("hostname", in.Hostname)
	if err != nil {
		return "", certs.ObtainOptions{}, err
	}
	alt, err := normalizeAll("alternate_names", in.AlternateNames)
	if err != nil {
		return "", certs.ObtainOptions{}, err
	}
	if err := checkOrderFields(in.Challenge, in.KeyType, in.AltKeyType, in.DNSProvider, in.DNSCredentials); err != nil {
		return "", certs.ObtainOptions{}, err
	}
	opts := certs.ObtainOptions{
		AltNames: alt, Challenge: certs.ChallengeType(in.Challenge),
		KeyType: certs.KeyType(in.KeyType), AltKeyType: certs.KeyType(in.AltKeyType), Profile: in.Profile,
		DNSProviderName: in.DNSProvider, DNSCredentials: certs.DNSCredentials(in.DNSCredentials),
		DisableAutoRenew: in.AutoRenew != nil && !*in.AutoRenew, DryRun: in.DryRun,
	}
	return name, opts, nil
}

var challenges = []string{string(certs.ChallengeHTTP01), string(certs.ChallengeTLSALPN01), string(certs.ChallengeDNS01)}

// checkOrderFields names the field at fault in an order's options.
func checkOrderFields(challenge, keyType, altKeyType, provider string, creds Secrets) error {
	if challenge != "" && !slices.Contains(challenges, challenge) {
		return fieldProblem(codeInvalidChallenge, "challenge", fmt.Sprintf("challenge must be http-01, tls-alpn-01 or dns-01, not %.40q", challenge))
	}
	for field, kt := range map[string]string{"key_type": keyType, "alt_key_type": altKeyType} {
		if kt != "" && !certs.KeyType(kt).Valid() {
			return fieldProblem(codeInvalidKeyType, field, fmt.Sprintf("%s must be ec256, ec384, rsa2048 or rsa4096, not %.40q", field, kt))
		}
	}
	if provider == "" && len(creds) > 0 {
		return fieldProblem(codeInvalidDNSOptions, "dns_provider", "dns_credentials are given without dns_provider; name the provider they belong to")
	}
	return nil
}

// renew answers POST /certificates/{hostname}/renew: it renews now and
// answers once the CA has issued (or refused).
func (h *handler) renew(w http.ResponseWriter, r *http.Request, p Principal) error {
	var in Renew
	if err := h.decode(w, r, &in, true); err != nil {
		return err
	}
	if err := checkOrderFields(in.Challenge, in.KeyType, in.AltKeyType, in.DNSProvider, in.DNSCredentials); err != nil {
		return err
	}
	opts := certs.RenewOptions{
		KeyType: certs.KeyType(in.KeyType), AltKeyType: certs.KeyType(in.AltKeyType),
		Challenge: certs.ChallengeType(in.Challenge), Profile: in.Profile, AutoRenew: in.AutoRenew,
		DNSProviderName: in.DNSProvider, DNSCredentials: certs.DNSCredentials(in.DNSCredentials),
	}
	return h.mutate(w, r, p, func(host *certs.Host) (*certs.Host, error) {
		return h.m.Renew(r.Context(), host.Hostname, opts)
	})
}

// revoke answers POST /certificates/{hostname}/revoke.
func (h *handler) revoke(w http.ResponseWriter, r *http.Request, p Principal) error {
	var in Revoke
	if err := h.decode(w, r, &in, true); err != nil {
		return err
	}
	if in.Reason == "" {
		in.Reason = "unspecified"
	}
	reason, ok := reasonNames[in.Reason]
	if !ok {
		return fieldProblem(codeInvalidReason, "reason", fmt.Sprintf("reason must be unspecified, key_compromise, affiliation_changed, superseded or cessation_of_operation, not %.40q", in.Reason))
	}
	return h.mutate(w, r, p, func(host *certs.Host) (*certs.Host, error) {
		return h.m.Revoke(r.Context(), host.Hostname, reason)
	})
}

// acmeSettings answers PATCH /certificates/{hostname}/acme.
func (h *handler) acmeSettings(w http.ResponseWriter, r *http.Request, p Principal) error {
	var in ACMESettings
	if err := h.decode(w, r, &in, false); err != nil {
		return err
	}
	if in.AutoRenew == nil {
		return fieldProblem(codeMissingField, "auto_renew", "auto_renew is required")
	}
	return h.mutate(w, r, p, func(host *certs.Host) (*certs.Host, error) {
		return h.m.SetAutoRenew(r.Context(), host.Hostname, *in.AutoRenew)
	})
}
