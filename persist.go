package certs

import (
	"context"
	"fmt"
	"strings"

	"github.com/certs-dev/certs/validate"
)

// The dns-persist-01 challenge (draft-ietf-acme-dns-persist).
//
// A name's owner adds one permanent TXT record, _validation-persist.<name>,
// naming the CA (its issuer domain name) and the platform's ACME account;
// from then on the CA validates the name for that account at every order
// and renewal, and the platform needs no DNS credentials. PersistRecord
// tells the record to add; with Config.DNS.OfferPersist every hostname's
// DNSRequirements show it and Check verifies it.

// PersistIdentity names a CA and an ACME account in dns-persist-01 records.
type PersistIdentity struct {
	// IssuerDomainName names the CA ("letsencrypt.org"): one of the
	// issuer-domain-names of its dns-persist-01 challenges.
	IssuerDomainName string `json:"issuer_domain_name"`
	// AccountURI is the URI of the ACME account that orders.
	AccountURI string `json:"account_uri"`
}

// A PersistRecorder is an Issuer that can name its CA and its ACME account
// for dns-persist-01 records. The acme package's Issuer implements it,
// registering its account at the CA first when it has none. PersistIdentity
// must be safe for concurrent use, honour ctx, and should be cheap after
// its first call: the Manager asks at every Check and order.
type PersistRecorder interface {
	PersistIdentity(ctx context.Context) (PersistIdentity, error)
}

// PersistRecord returns the dns-persist-01 TXT record that lets the CA of
// Config.Issuer validate hostname for its ACME account at every order and
// renewal: the one record the name's owner adds, once, after which
// Obtain, Request and Renew with ChallengeDNSPersist01 need no DNS
// provider. With wildcard set, or for a wildcard hostname
// ("*.example.com"), the record carries "policy=wildcard", which wildcard
// certificates need (and which also covers the name itself).
//
// The CA and the account are Config.DNS's PersistIssuerDomain and
// PersistAccountURI where set, else the Issuer's (a PersistRecorder; the
// acme package's Issuer registers its account first if needed). The
// hostname need not be held by the Manager. Without an Issuer that can
// tell, it returns ErrNoPersistIdentity.
func (m *Manager) PersistRecord(ctx context.Context, hostname string, wildcard bool) (validate.PersistRequirement, error) {
	name, err := NormalizeHostname(hostname)
	if err != nil {
		return validate.PersistRequirement{}, err
	}
	id, err := m.persistIdentity(ctx)
	if err != nil {
		return validate.PersistRequirement{}, err
	}
	if wildcard && !strings.HasPrefix(name, "*.") {
		name = "*." + name
	}
	cfg := validate.RequirementsConfig{PersistIssuerDomain: id.IssuerDomainName, PersistAccountURI: id.AccountURI}
	return validate.Requirements(name, cfg).Persist, nil
}

// persistIdentity asks the Issuer for the CA and account of dns-persist-01
// records, with Config.DNS's PersistIssuerDomain and PersistAccountURI in
// their place where set, and keeps the answer for the requirements shown
// without a ctx (Get, Requirements).
func (m *Manager) persistIdentity(ctx context.Context) (PersistIdentity, error) {
	cfg := m.dnsCfg.RequirementsConfig
	id := PersistIdentity{IssuerDomainName: cfg.PersistIssuerDomain, AccountURI: cfg.PersistAccountURI}
	if id.IssuerDomainName != "" && id.AccountURI != "" {
		return id, nil
	}
	pr, ok := m.issuer.(PersistRecorder)
	if !ok {
		return PersistIdentity{}, ErrNoPersistIdentity
	}
	got, err := pr.PersistIdentity(ctx)
	if err != nil {
		return PersistIdentity{}, fmt.Errorf("certs: the CA and account of dns-persist-01 records: %w", err)
	}
	if got.IssuerDomainName == "" || got.AccountURI == "" {
		return PersistIdentity{}, fmt.Errorf("%w (it named issuer domain %q, account %q)", ErrNoPersistIdentity, got.IssuerDomainName, got.AccountURI)
	}
	m.dnsCfg.persist.Store(got)
	if id.IssuerDomainName == "" {
		id.IssuerDomainName = got.IssuerDomainName
	}
	if id.AccountURI == "" {
		id.AccountURI = got.AccountURI
	}
	return id, nil
}

// offersPersist reports whether Check and the requirements include the
// dns-persist-01 record: Config.DNS.OfferPersist, or its
// PersistIssuerDomain and PersistAccountURI both set.
func (m *Manager) offersPersist() bool {
	cfg := m.dnsCfg.RequirementsConfig
	return m.dnsCfg.OfferPersist || (cfg.PersistIssuerDomain != "" && cfg.PersistAccountURI != "")
}

// refreshPersist asks the Issuer again for its dns-persist-01 identity
// when the Manager offers the challenge; a failure is logged and the
// identity last known is used.
func (m *Manager) refreshPersist(ctx context.Context) {
	if !m.dnsCfg.OfferPersist {
		return
	}
	if _, err := m.persistIdentity(ctx); err != nil && ctx.Err() == nil {
		m.log.Warn("certs: the dns-persist-01 record cannot be checked", "error", err)
	}
}

// requirementsConfig is the requirements of name (with labels): Config.
// DNS's RequirementsFor or RequirementsConfig, with the dns-persist-01
// identity last known filled in where it is empty.
func (m *Manager) requirementsConfig(name string, labels map[string]string) validate.RequirementsConfig {
	cfg := m.dnsCfg.RequirementsConfig
	if f := m.dnsCfg.RequirementsFor; f != nil {
		if c := f(name, labels); c != nil {
			cfg = *c
		}
	}
	if !m.dnsCfg.OfferPersist {
		return cfg
	}
	if id, ok := m.dnsCfg.persist.Load().(PersistIdentity); ok {
		if cfg.PersistIssuerDomain == "" {
			cfg.PersistIssuerDomain = id.IssuerDomainName
		}
		if cfg.PersistAccountURI == "" {
			cfg.PersistAccountURI = id.AccountURI
		}
	}
	return cfg
}
