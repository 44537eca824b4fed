package main

import (
	"context"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
)

// Validate checks an upload without storing it. The report has the API's
// shape (api.ValidationReport) locally too, with the API's codes, so that
// scripts read one format.
func (b *localBackend) Validate(ctx context.Context, hostname string, up *upload) (*api.ValidationReport, error) {
	if hostname != "" {
		name, err := certs.NormalizeHostname(hostname)
		if err != nil {
			return nil, err
		}
		hostname = name
	}
	rep := b.m.ValidateContext(ctx, up.input(), hostname)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := api.ValidationReport{Valid: rep.Valid, Errors: []api.ProblemItem{}, Warnings: []api.Warning{}}
	if hostname != "" {
		out.Hostname = &hostname
	}
	for _, err := range rep.Errors {
		code := problemCode(err)
		if code == "" {
			code = "invalid_certificate"
		}
		out.Errors = append(out.Errors, api.ProblemItem{Code: code, Detail: err.Error()})
	}
	for _, w := range rep.Warnings {
		out.Warnings = append(out.Warnings, api.Warning{Code: w.Code, Message: w.Message})
	}
	if f := rep.Facts; f.FingerprintSHA256 != "" {
		out.Facts = &api.Facts{CommonName: f.CommonName, SANs: f.SANs, Issuer: f.Issuer, Serial: f.Serial,
			NotBefore: f.NotBefore, ExpiresAt: f.NotAfter, KeyType: f.KeyType, KeyBits: f.KeyBits,
			SignatureAlgorithm: f.SignatureAlgorithm, FingerprintSHA256: f.FingerprintSHA256, SelfSigned: f.SelfSigned}
	}
	return &out, nil
}
