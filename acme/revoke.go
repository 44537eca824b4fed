package acme

import (
	"context"
	"encoding/base64"
	"fmt"

	legoacme "github.com/go-acme/lego/v4/acme"

	"github.com/certs-dev/certs"
)

// Revoke asks the CA to revoke the first certificate of chainPEM, signed
// with the Issuer's account (which must be the one that obtained it; without
// a stored account Revoke returns ErrNoAccount). A certificate the CA has
// already revoked gives certs.ErrAlreadyRevoked; a reason ACME does not accept
// gives certs.ErrInvalidReason.
func (i *Issuer) Revoke(ctx context.Context, chainPEM []byte, reason certs.RevocationReason) error {
	if !reason.Valid() {
		return fmt.Errorf("%w (got %d)", certs.ErrInvalidReason, reason)
	}
	cert, err := leaf(chainPEM)
	if err != nil {
		return fmt.Errorf("acme: revoke: %w", err)
	}
	if cert.IsCA {
		return fmt.Errorf("acme: revoke: the chain starts with a CA certificate; pass the leaf first")
	}
	if err := i.accounts.exists(ctx); err != nil {
		return err
	}
	s, err := i.connect(ctx, false)
	if err != nil {
		return err
	}
	msg := legoacme.RevokeCertMessage{Certificate: base64.RawURLEncoding.EncodeToString(cert.Raw)}
	if reason != certs.ReasonUnspecified { // RFC 8555 7.6: omitted means unspecified
		r := uint(reason)
		msg.Reason = &r
	}
	if err := s.core.Certificates.Revoke(msg); err != nil {
		return caError(ctx, "revoke certificate "+cert.SerialNumber.Text(16), err)
	}
	i.log.InfoContext(ctx, "acme: certificate revoked", "serial", cert.SerialNumber.Text(16), "reason", int(reason))
	return nil
}
