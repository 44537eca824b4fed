package acme

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/validate"
)

// The challenges scoped to the ACME account: dns-account-01
// (draft-ietf-acme-scoped-dns-challenges) presents a TXT record under a
// label derived from the account URI; dns-persist-01
// (draft-ietf-acme-dns-persist) needs no record per order, only the
// permanent one that names the CA and the account.

var _ certs.PersistRecorder = (*Issuer)(nil)

// PersistIdentity returns the CA's issuer domain name and the URI of the
// Issuer's ACME account, which dns-persist-01 records name
// (certs.PersistRecorder). The account is loaded, or registered at the CA,
// on first use as for an order; the issuer domain name is
// Config.IssuerDomainName, else the first CAA identity of the CA's
// directory (see CAAIdentities). Both are kept, so later calls need no
// network.
func (i *Issuer) PersistIdentity(ctx context.Context) (certs.PersistIdentity, error) {
	uri, err := i.accountURI(ctx)
	if err != nil {
		return certs.PersistIdentity{}, err
	}
	domain := i.cfg.IssuerDomainName
	if domain == "" {
		ids, err := i.CAAIdentities(ctx)
		if err != nil {
			return certs.PersistIdentity{}, err
		}
		if domain, err = issuerDomain("", ids); err != nil {
			return certs.PersistIdentity{}, err
		}
	}
	return certs.PersistIdentity{IssuerDomainName: normalizeDomain(domain), AccountURI: uri}, nil
}

// accountURI returns the account's URI, registering it first if needed.
func (i *Issuer) accountURI(ctx context.Context) (string, error) {
	if acct := i.accounts.cached(); acct != nil && acct.reg != nil {
		return acct.reg.URI, nil
	}
	s, err := i.connect(ctx, false)
	if err != nil {
		return "", err
	}
	return s.acct.reg.URI, nil
}

// issuerDomain is configured, else the first of the CA's CAA identities.
func issuerDomain(configured string, caaIdentities []string) (string, error) {
	if configured != "" {
		return normalizeDomain(configured), nil
	}
	for _, id := range caaIdentities {
		if id = normalizeDomain(id); id != "" {
			return id, nil
		}
	}
	return "", ErrNoIssuerDomain
}

func normalizeDomain(d string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
}

// persistRecord describes the dns-persist-01 record of domain for the
// session's account ("TXT record _validation-persist.example.com with
// value ..."), or "" when the CA's issuer domain name is unknown.
func (i *Issuer) persistRecord(s *session, domain string, wildcard bool) string {
	issuer, err := issuerDomain(i.cfg.IssuerDomainName, s.core.GetDirectory().Meta.CaaIdentities)
	if err != nil || s.acct.reg == nil {
		return ""
	}
	v := validate.PersistValue{IssuerDomainName: issuer, AccountURI: s.acct.reg.URI, Wildcard: wildcard}
	return fmt.Sprintf("TXT record %s with value %q", validate.PersistRecordName(domain), v.String())
}

// accountLabel is the dns-account-01 label of the account at uri: the
// lowercase base32 of the first 10 bytes of SHA-256(uri), 16 characters.
func accountLabel(uri string) string {
	sum := sha256.Sum256([]byte(uri))
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:10]))
}

// challengeName is where the TXT record of challenge c for domain goes,
// before any CNAME is followed: "_acme-challenge.<domain>" for dns-01,
// "_<label>._acme-challenge.<domain>" for dns-account-01.
func challengeName(c certs.ChallengeType, accountURI, domain string) string {
	if c == certs.ChallengeDNSAccount01 {
		return "_" + accountLabel(accountURI) + "._acme-challenge." + domain
	}
	return "_acme-challenge." + domain
}

// presentsTXT reports whether c's TXT record is presented per order
// through IssueRequest.DNS01 (dns-01, dns-account-01).
func presentsTXT(c certs.ChallengeType) bool {
	return c == certs.ChallengeDNS01 || c == certs.ChallengeDNSAccount01
}
