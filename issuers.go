package certs

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// A NamedIssuer is an Issuer with a readable name for its CA
// ("lets_encrypt", "zerossl", "google"), recorded on the certificates it
// issues (Certificate.CertificateAuthority). The acme package's Issuer is
// one.
type NamedIssuer interface {
	Issuer
	Name() string
}

// IssuerList is an Issuer that tries several CAs in order: when one fails
// an order, the next is asked, and every failure is kept on the issued
// certificate (Certificate.FailedCAs). A renewal tries the CA that issued
// the certificate first. Build it with Issuers.
type IssuerList struct {
	issuers []Issuer
	names   []string
}

// Issuers returns an Issuer that tries issuers in order (for example Let's
// Encrypt, then ZeroSSL or Google with External Account Binding). An issuer
// without a Name is named "issuer-<position>". When all fail, the error is
// an *IssuersError listing each failure; errors.Is and errors.As see every
// one of them (a *RateLimitError, a *ValidationError, ...).
func Issuers(issuers ...Issuer) *IssuerList {
	l := &IssuerList{}
	for i, iss := range issuers {
		if iss == nil {
			continue
		}
		name := fmt.Sprintf("issuer-%d", i+1)
		if n, ok := iss.(NamedIssuer); ok && n.Name() != "" {
			name = n.Name()
		}
		l.issuers, l.names = append(l.issuers, iss), append(l.names, name)
	}
	return l
}

var (
	_ Issuer          = (*IssuerList)(nil)
	_ RenewalInfoer   = (*IssuerList)(nil)
	_ CAAIdentifier   = (*IssuerList)(nil)
	_ PersistRecorder = (*IssuerList)(nil)
)

// IssuersError reports that every CA of an IssuerList failed an order.
type IssuersError struct {
	Failures []CAFailure
	errs     []error
}

// Error lists each CA's failure.
func (e *IssuersError) Error() string {
	parts := make([]string, 0, len(e.Failures))
	for _, f := range e.Failures {
		parts = append(parts, f.CA+": "+f.Error)
	}
	return "certs: every CA failed the order: " + strings.Join(parts, "; ")
}

// Unwrap returns each CA's error, so that errors.Is and errors.As see them.
func (e *IssuersError) Unwrap() []error { return e.errs }

// order returns the positions of the issuers in the order to try them:
// prefer first, then the rest in their order.
func (l *IssuerList) order(prefer string) []int {
	idx := make([]int, 0, len(l.issuers))
	for i, n := range l.names {
		if n == prefer {
			idx = append(idx, i)
		}
	}
	for i, n := range l.names {
		if n != prefer {
			idx = append(idx, i)
		}
	}
	return idx
}

// Issue asks each CA in turn until one issues. A dry run asks only the
// first (or preferred) one. A cancelled ctx stops at once.
func (l *IssuerList) Issue(ctx context.Context, req IssueRequest) (*IssuedCertificate, error) {
	if len(l.issuers) == 0 {
		return nil, ErrNoIssuer
	}
	var failed []CAFailure
	var errs []error
	for _, i := range l.order(req.PreferCA) {
		issued, err := l.issuers[i].Issue(ctx, req)
		if err == nil {
			if issued.CAName == "" {
				issued.CAName = l.names[i]
			}
			issued.FailedCAs = append(failed, issued.FailedCAs...)
			return issued, nil
		}
		if ctx.Err() != nil || req.DryRun {
			return nil, err
		}
		failed = append(failed, CAFailure{CA: l.names[i], Error: err.Error()})
		errs = append(errs, err)
	}
	return nil, &IssuersError{Failures: failed, errs: errs}
}

// Revoke asks each CA in turn until one revokes (only the CA that issued a
// certificate can); the last error is returned when none does.
func (l *IssuerList) Revoke(ctx context.Context, chainPEM []byte, reason RevocationReason) error {
	err := ErrNoIssuer
	for _, iss := range l.issuers {
		if err = iss.Revoke(ctx, chainPEM, reason); err == nil || errors.Is(err, ErrAlreadyRevoked) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// RenewalInfo asks each CA that offers renewal information (ARI) in turn
// until one knows the certificate.
func (l *IssuerList) RenewalInfo(ctx context.Context, cert *x509.Certificate) (*RenewalWindow, error) {
	err := errors.New("certs: no CA of the list offers renewal information")
	for _, iss := range l.issuers {
		ri, ok := iss.(RenewalInfoer)
		if !ok {
			continue
		}
		var win *RenewalWindow
		if win, err = ri.RenewalInfo(ctx, cert); err == nil {
			return win, nil
		}
	}
	return nil, err
}

// CAAIdentities returns the CAA identities of every CA of the list that
// tells them (a CAA record must allow each CA that may be asked), without
// duplicates. It fails only when none answers.
func (l *IssuerList) CAAIdentities(ctx context.Context) ([]string, error) {
	var ids []string
	var errs []error
	answered := false
	for _, iss := range l.issuers {
		ci, ok := iss.(CAAIdentifier)
		if !ok {
			continue
		}
		got, err := ci.CAAIdentities(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		answered = true
		for _, id := range got {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if !answered {
		return nil, fmt.Errorf("certs: no CA of the list tells its CAA identities: %w", errors.Join(errs...))
	}
	return ids, nil
}

// PersistIdentity is the dns-persist-01 identity of the list's first CA
// that has one: a customer's permanent record names one CA and account, so
// orders with dns-persist-01 succeed at that CA (put it first).
func (l *IssuerList) PersistIdentity(ctx context.Context) (PersistIdentity, error) {
	for _, iss := range l.issuers {
		if pr, ok := iss.(PersistRecorder); ok {
			return pr.PersistIdentity(ctx)
		}
	}
	return PersistIdentity{}, ErrNoPersistIdentity
}
