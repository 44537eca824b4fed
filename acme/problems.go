package acme

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"

	legoacme "github.com/go-acme/lego/v4/acme"

	"github.com/certs-dev/certs"
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
			detail = ch.Error.Detail
			if detail == "" {
				detail = ch.Error.Type
			}
			break
		}
	}
	return certs.ChallengeProblem{Domain: at.target, Challenge: c, Detail: detail, Hint: hint(c, at)}
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
	case certs.ChallengeDNS01:
		return fmt.Sprintf("add TXT record %s with value %q (check the DNS provider's zone and credentials, "+
			"and any _acme-challenge CNAME delegation)", strings.TrimSuffix(at.record.FQDN, "."), at.record.Value)
	}
	return ""
}
