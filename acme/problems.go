package acme

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/validate"
)

// txtValue is the DNS-01 TXT record value for keyAuth (RFC 8555 section 8.4).
func txtValue(keyAuth string) string {
	sum := sha256.Sum256([]byte(keyAuth))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// failedProblem describes an authorization that did not become valid.
func failedProblem(c certs.ChallengeType, at *attempt, a legoacme.Authorization) certs.ChallengeProblem {
	detail := "the authorization is " + a.Status
	for _, ch := range a.Challenges {
		if ch.URL != at.chal.URL && ch.Type != string(c) {
			continue
		}
		if ch.Error != nil {
			detail = problemDetail(ch.Error)
			break
		}
	}
	return certs.ChallengeProblem{Domain: at.target, Challenge: c, Detail: detail, Hint: hint(c, at)}
}

// invalidProblem describes our challenge ch, which the CA marked invalid
// (in an authorization it may have left pending).
func invalidProblem(c certs.ChallengeType, at *attempt, ch legoacme.Challenge) certs.ChallengeProblem {
	detail := fmt.Sprintf("the CA marked the %s challenge invalid without giving a reason", c)
	if ch.Error != nil {
		detail = problemDetail(ch.Error)
	}
	return certs.ChallengeProblem{Domain: at.target, Challenge: c, Detail: detail, Hint: hint(c, at)}
}

// timeoutProblem describes an attempt the CA had not finished validating
// within timeout, with the last statuses seen.
func timeoutProblem(c certs.ChallengeType, at *attempt, timeout time.Duration) certs.ChallengeProblem {
	status := at.status
	if status == "" {
		status = "not listed in the authorization"
	}
	return certs.ChallengeProblem{
		Domain: at.target, Challenge: c,
		Detail: fmt.Sprintf("the CA did not finish validating within %s (last seen: authorization %s, challenge %s)",
			timeout, at.authz.Status, status),
		Hint: "retry later (the CA may be slow or overloaded; acme.Config.ValidationTimeout sets the wait); " +
			"if it keeps timing out, " + hint(c, at),
	}
}

// problemDetail is the CA's detail of a problem, else its type.
func problemDetail(pd *legoacme.ProblemDetails) string {
	if pd.Detail != "" {
		return pd.Detail
	}
	return pd.Type
}

// hint tells the user what to fix for a failed challenge.
func hint(c certs.ChallengeType, at *attempt) string {
	switch c {
	case certs.ChallengeHTTP01:
		return fmt.Sprintf("make http://%s/.well-known/acme-challenge/%s reach this server on port 80 "+
			"(check the name's A/AAAA records, firewalls and redirects)", at.domain, at.chal.Token)
	case certs.ChallengeTLSALPN01:
		return fmt.Sprintf("make %s:443 reach this server's TLS listener directly and answer the acme-tls/1 protocol "+
			"(no TLS-terminating proxy or CDN in front; check the name's A/AAAA records)", at.domain)
	case certs.ChallengeDNS01, certs.ChallengeDNSAccount01:
		return fmt.Sprintf("add TXT record %s with value %q (check the DNS provider's zone and credentials, "+
			"and any CNAME delegation of the challenge name)", strings.TrimSuffix(at.record.FQDN, "."), at.record.Value)
	case certs.ChallengeDNSPersist01:
		if at.persist == "" {
			return fmt.Sprintf("add the TXT record %s naming the CA's issuer domain name and this ACME account "+
				"(certs.Manager.PersistRecord tells it)", validate.PersistRecordName(at.domain))
		}
		return "add " + at.persist + " (once: it lets the CA validate the name for this ACME account at every later order and renewal)"
	}
	return ""
}
