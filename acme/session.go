package acme

import (
	"context"
	"errors"
	"fmt"

	legoacme "github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/registration"
)

// userAgent is sent to the CA in front of lego's own.
const userAgent = "certs-dev/certs"

// session is one call's connection to the CA under the Issuer's account.
// Its HTTP client is bound to the call's context.
type session struct {
	core *api.Core
	acct *account
}

// connect returns a session for the account, loading or creating (and
// registering) the account on first use. With verify, an account that was
// not registered by this call is checked at the CA, and registered again if
// the CA does not know it.
func (i *Issuer) connect(ctx context.Context, verify bool) (*session, error) {
	s, err := i.open(ctx, verify)
	var stale *staleAccountError
	if errors.As(err, &stale) {
		return i.reregister(ctx, stale.acct)
	}
	return s, err
}

// staleAccountError reports an account that the CA does not know.
type staleAccountError struct {
	acct *account
	err  error
}

func (e *staleAccountError) Error() string { return e.err.Error() }
func (e *staleAccountError) Unwrap() error { return e.err }

// open is connect without the second registration.
func (i *Issuer) open(ctx context.Context, verify bool) (*session, error) {
	if acct := i.accounts.cached(); acct != nil {
		return i.resume(ctx, acct, verify)
	}
	release, err := i.accounts.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acme: account: %w", err)
	}
	defer release()
	if acct := i.accounts.cached(); acct != nil { // created while we waited
		return i.resume(ctx, acct, verify)
	}
	unlock, err := i.accounts.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	acct, err := i.accounts.load(ctx)
	if err != nil {
		return nil, err
	}
	if acct != nil && acct.reg != nil {
		s, err := i.resume(ctx, acct, verify)
		if err == nil {
			i.accounts.setCached(acct)
		}
		return s, err
	}
	return i.createAccount(ctx, acct)
}

// resume opens a session for an account that is already registered.
func (i *Issuer) resume(ctx context.Context, acct *account, verify bool) (*session, error) {
	core, err := api.New(i.http.clientFor(ctx), userAgent, i.dirURL, acct.reg.URI, acct.key)
	if err != nil {
		return nil, caError(ctx, "fetch directory "+i.dirURL, err)
	}
	if verify {
		a, err := core.Accounts.Get(acct.reg.URI)
		if isProblem(err, problemAccountDoesNotExist) {
			return nil, &staleAccountError{acct: acct, err: caError(ctx, "check account "+acct.reg.URI, err)}
		}
		if err != nil {
			return nil, caError(ctx, "check account "+acct.reg.URI, err)
		}
		if a.Status != legoacme.StatusValid {
			return nil, fmt.Errorf("acme: account %s is %s at the CA; delete blob %s to register a new one", acct.reg.URI, a.Status, i.accounts.key)
		}
	}
	return &session{core: core, acct: acct}, nil
}

// reregister registers the key of an account that the CA no longer knows
// (a reset test CA, a deleted account) as a new account, once: an Issuer
// that already replaced stale meanwhile uses the replacement.
func (i *Issuer) reregister(ctx context.Context, stale *account) (*session, error) {
	release, err := i.accounts.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acme: account: %w", err)
	}
	defer release()
	if acct := i.accounts.cached(); acct != nil && acct != stale {
		return i.resume(ctx, acct, false)
	}
	unlock, err := i.accounts.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	i.log.WarnContext(ctx, "acme: the CA does not know the stored account; registering again "+
		"(dns-persist-01 records naming the old account URI must be changed to the new one)", "account", stale.reg.URI)
	return i.createAccount(ctx, &account{email: stale.email, key: stale.key})
}

// createAccount registers acct (nil: a new key) and stores it. The key is
// stored before registering, so that a crash in between reuses it.
func (i *Issuer) createAccount(ctx context.Context, acct *account) (*session, error) {
	if acct == nil {
		key, err := newPrivateKey("")
		if err != nil {
			return nil, err
		}
		acct = &account{email: i.cfg.Email, key: key}
		if err := i.accounts.save(ctx, acct); err != nil {
			return nil, err
		}
	}
	core, err := api.New(i.http.clientFor(ctx), userAgent, i.dirURL, "", acct.key)
	if err != nil {
		return nil, caError(ctx, "fetch directory "+i.dirURL, err)
	}
	if err := i.register(ctx, core, acct); err != nil {
		return nil, err
	}
	if err := i.accounts.save(ctx, acct); err != nil {
		return nil, err
	}
	i.accounts.setCached(acct)
	return &session{core: core, acct: acct}, nil
}

// register creates the account at the CA (with EAB when configured).
func (i *Issuer) register(ctx context.Context, core *api.Core, acct *account) error {
	if core.GetDirectory().Meta.ExternalAccountRequired && i.cfg.EAB == nil {
		return ErrEABRequired
	}
	r := registration.NewRegistrar(core, acct)
	var (
		reg *registration.Resource
		err error
	)
	if eab := i.cfg.EAB; eab != nil {
		reg, err = r.RegisterWithExternalAccountBinding(registration.RegisterEABOptions{
			TermsOfServiceAgreed: i.cfg.AgreeTOS, Kid: eab.KeyID, HmacEncoded: eab.HMACKey,
		})
	} else {
		reg, err = r.Register(registration.RegisterOptions{TermsOfServiceAgreed: i.cfg.AgreeTOS})
	}
	if err != nil {
		return caError(ctx, "register account", err)
	}
	acct.reg = reg
	i.log.InfoContext(ctx, "acme: account registered", "directory", i.dirURL, "email", i.cfg.Email, "account", reg.URI)
	return nil
}
