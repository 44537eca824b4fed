package certs

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// MatchKind says how a server name found the record that serves it.
type MatchKind string

// The ways a server name is matched, in order of precedence.
const (
	// MatchOwn: the name has a record of its own.
	MatchOwn MatchKind = "own"
	// MatchFurtherName: another record's certificate covers the name as a
	// further name (an ACME order's alternative name, or a name attached
	// to a custom certificate).
	MatchFurtherName MatchKind = "further_name"
	// MatchWildcard: no record serves the name itself; the wildcard one
	// label up has a record of its own.
	MatchWildcard MatchKind = "wildcard"
	// MatchWildcardFurtherName: the wildcard one label up is a further
	// name of another record.
	MatchWildcardFurtherName MatchKind = "wildcard_further_name"
)

// Explanation says which record and certificate a TLS handshake for a
// server name gets, and why.
type Explanation struct {
	// ServerName is the name asked about, normalized.
	ServerName string `json:"server_name"`
	// MatchedName is the name that matched: ServerName, or the wildcard
	// one label up ("*.example.com").
	MatchedName string    `json:"matched_name"`
	Match       MatchKind `json:"match"`
	// Hostname is the record that serves it.
	Hostname string `json:"hostname"`
	// Source and Certificate are what a client gets that can use either
	// certificate; a client that cannot use the custom certificate's key
	// (for example an RSA-only client and an ECDSA custom certificate) gets
	// the ACME one.
	Source      Source       `json:"source"`
	Certificate *Certificate `json:"certificate"`
	// Reason says in words why.
	Reason string `json:"reason"`
}

// Explain tells which record and which certificate a handshake for
// serverName would get right now, and why, following the same index and
// rules as GetCertificate: the name's own record, else a record covering it
// as a further name, then the same for the wildcard one label up; within a
// record the custom certificate first, the ACME one when the custom one is
// absent, expired or not yet valid. A name nothing serves is an error
// wrapping ErrUnknownHost.
func (m *Manager) Explain(ctx context.Context, serverName string) (*Explanation, error) {
	name, err := NormalizeHostname(serverName)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(name, "*.") {
		return nil, invalidHostname(serverName, "a server name is never a wildcard; ask about a name such as app.example.com")
	}
	e, key := m.index.Load().resolve(name)
	if e != nil && e.stub { // not held in memory (Config.MaxLoadedHostnames)
		if _, _, err := m.refreshAs(ctx, e.host, true); err != nil && !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("certs: explain %s: %w", name, err)
		}
		e, key = m.index.Load().resolve(name)
	}
	if e == nil || e.stub {
		return nil, unknownHost(name)
	}
	ex := &Explanation{ServerName: name, MatchedName: key, Hostname: e.host, Match: matchKind(name, key, e.host)}
	h, err := m.Get(ctx, e.host)
	if err != nil {
		return nil, fmt.Errorf("certs: explain %s: %w", name, err)
	}
	var why string
	ex.Source, why = e.pick(m)
	ex.Certificate = h.Certificate(ex.Source)
	ex.Reason = matchReason(ex) + "; " + why
	return ex, nil
}

func matchKind(name, key, host string) MatchKind {
	switch {
	case key == name && host == name:
		return MatchOwn
	case key == name:
		return MatchFurtherName
	case host == key:
		return MatchWildcard
	}
	return MatchWildcardFurtherName
}

func matchReason(ex *Explanation) string {
	switch ex.Match {
	case MatchOwn:
		return ex.ServerName + " has a record of its own"
	case MatchFurtherName:
		return fmt.Sprintf("%s has no record of its own serving it; hostname %s covers it as a further name", ex.ServerName, ex.Hostname)
	case MatchWildcard:
		return fmt.Sprintf("no record serves %s itself; the wildcard %s has a record of its own", ex.ServerName, ex.MatchedName)
	}
	return fmt.Sprintf("no record serves %s itself; hostname %s covers the wildcard %s as a further name",
		ex.ServerName, ex.Hostname, ex.MatchedName)
}

// pick is choose without a ClientHello: the source served to a client that
// supports both certificates, and why.
func (e *served) pick(m *Manager) (Source, string) {
	switch {
	case e.acme == nil:
		return SourceCustom, "it holds only a custom certificate for this name"
	case e.custom == nil:
		return SourceACME, "it holds only an ACME certificate for this name"
	}
	now := m.now()
	if now.Before(e.customNotBefore) {
		return SourceACME, "its custom certificate is not valid yet, so the ACME one is served"
	}
	if now.After(e.customNotAfter) {
		return SourceACME, "its custom certificate has expired, so the ACME one is served"
	}
	if e.customUnstapled {
		return SourceACME, "its custom certificate is OCSP Must-Staple and has no OCSP response to staple yet, so the ACME one is served"
	}
	return SourceCustom, "custom certificates are served before ACME ones"
}
