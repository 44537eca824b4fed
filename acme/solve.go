package acme

import (
	"context"
	"fmt"
	"strings"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/challenge"

	"github.com/certs-dev/certs"
)

// attempt is one authorization being validated with the plan's challenge.
type attempt struct {
	authz     *authorization
	domain    string // the identifier, without "*."
	target    string // as ordered: "*.example.com" for a wildcard
	chal      legoacme.Challenge
	keyAuth   string
	record    certs.DNSRecord // dns-01 and dns-account-01 only
	persist   string          // dns-persist-01 only: the record the CA reads, described
	presented bool

	// Set by validate: the last POST of the challenge, how many were
	// sent, and the challenge's last status seen at the CA.
	posted time.Time
	posts  int
	status string
}

// solve gets every pending authorization validated: present all
// challenges, wait for DNS propagation (dns-01, dns-account-01), ask the CA
// to validate and poll until it is done. Presented challenges are always
// cleaned up. dns-persist-01 presents nothing: the CA reads the permanent
// record.
// Failures the user can fix are a *certs.ValidationError (with TimedOut set
// when the CA did not finish in time).
func (i *Issuer) solve(ctx context.Context, s *session, p *plan, authzs []*authorization) error {
	attempts, problems := i.attempts(s, p, authzs)
	if len(problems) > 0 {
		return fmt.Errorf("acme: order for %s: %w", strings.Join(p.names, ", "), &certs.ValidationError{Problems: problems})
	}
	if len(attempts) == 0 {
		return nil
	}
	defer i.cleanup(ctx, p, attempts)
	for _, at := range attempts {
		if err := i.present(ctx, s, p, at); err != nil {
			return err
		}
	}
	if presentsTXT(p.challenge) && i.propagation > 0 {
		problems, err := i.waitPropagation(ctx, p.challenge, p.req.DNS01, attempts)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			return fmt.Errorf("acme: order for %s: %w", strings.Join(p.names, ", "), &certs.ValidationError{Problems: problems})
		}
	}
	problems, err := i.validate(ctx, s, p, attempts)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("acme: order for %s: %w", strings.Join(p.names, ", "), &certs.ValidationError{Problems: problems})
	}
	return nil
}

// attempts picks the plan's challenge in every authorization still pending.
func (i *Issuer) attempts(s *session, p *plan, authzs []*authorization) ([]*attempt, []certs.ChallengeProblem) {
	var (
		out      []*attempt
		problems []certs.ChallengeProblem
	)
	for _, a := range authzs {
		target := challenge.GetTargetedDomain(a.Authorization)
		switch a.Status {
		case legoacme.StatusValid:
			continue
		case legoacme.StatusPending:
		default:
			problems = append(problems, certs.ChallengeProblem{Domain: target, Challenge: p.challenge,
				Detail: "the authorization is " + a.Status, Hint: "retry the order"})
			continue
		}
		chal, err := challenge.FindChallenge(challenge.Type(p.challenge), a.Authorization)
		if err != nil {
			problems = append(problems, offeredProblem(target, p.challenge, a.Challenges))
			continue
		}
		keyAuth, err := s.core.GetKeyAuthorization(chal.Token)
		if err != nil {
			problems = append(problems, certs.ChallengeProblem{Domain: target, Challenge: p.challenge,
				Detail: "compute key authorization: " + err.Error()})
			continue
		}
		at := &attempt{authz: a, domain: a.Identifier.Value, target: target, chal: chal, keyAuth: keyAuth}
		if p.challenge == certs.ChallengeDNSPersist01 {
			at.persist = i.persistRecord(s, at.domain, a.Wildcard)
		}
		out = append(out, at)
	}
	return out, problems
}

func offeredProblem(target string, want certs.ChallengeType, offered []legoacme.Challenge) certs.ChallengeProblem {
	types := make([]string, 0, len(offered))
	for _, c := range offered {
		types = append(types, c.Type)
	}
	return certs.ChallengeProblem{
		Domain: target, Challenge: want,
		Detail: fmt.Sprintf("the CA offers no %s challenge for %s (offered: %s)", want, target, strings.Join(types, ", ")),
		Hint:   "choose one of the offered challenge types",
	}
}

// present makes one challenge answerable through the request's solver.
func (i *Issuer) present(ctx context.Context, s *session, p *plan, at *attempt) error {
	at.presented = true // CleanUp of a record that is not there is a success
	var err error
	switch p.challenge {
	case certs.ChallengeHTTP01:
		err = p.req.HTTP01.Present(ctx, at.domain, at.chal.Token, at.keyAuth)
	case certs.ChallengeTLSALPN01:
		err = p.req.TLSALPN01.Present(ctx, at.domain, at.chal.Token, at.keyAuth)
	case certs.ChallengeDNS01, certs.ChallengeDNSAccount01:
		name := challengeName(p.challenge, s.acct.reg.URI, at.domain)
		fqdn, ferr := i.dns.challengeFQDN(ctx, name)
		if ferr != nil {
			at.presented = false
			return fmt.Errorf("acme: %s for %s: %w", p.challenge, at.target, ferr)
		}
		at.record = certs.DNSRecord{Domain: at.domain, FQDN: fqdn, Value: txtValue(at.keyAuth),
			Token: at.chal.Token, KeyAuth: at.keyAuth}
		err = p.req.DNS01.Present(ctx, at.record)
	case certs.ChallengeDNSPersist01:
		at.presented = false
		i.log.DebugContext(ctx, "acme: dns-persist-01: nothing to present; the CA reads the persistent record",
			"domain", at.target, "record", at.persist)
		return nil
	}
	if err != nil {
		return fmt.Errorf("acme: present %s challenge for %s: %w", p.challenge, at.target, err)
	}
	if presentsTXT(p.challenge) {
		i.log.DebugContext(ctx, "acme: challenge presented", "domain", at.target, "challenge", p.challenge, "fqdn", at.record.FQDN)
	} else {
		i.log.DebugContext(ctx, "acme: challenge presented", "domain", at.target, "challenge", p.challenge)
	}
	return nil
}

// cleanup removes every presented challenge, with a context that survives
// the caller's cancellation for cleanupTimeout. Errors are logged: the
// order's outcome does not depend on them.
func (i *Issuer) cleanup(ctx context.Context, p *plan, attempts []*attempt) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	for _, at := range attempts {
		if !at.presented {
			continue
		}
		var err error
		switch p.challenge {
		case certs.ChallengeHTTP01:
			err = p.req.HTTP01.CleanUp(cctx, at.domain, at.chal.Token, at.keyAuth)
		case certs.ChallengeTLSALPN01:
			err = p.req.TLSALPN01.CleanUp(cctx, at.domain, at.chal.Token, at.keyAuth)
		case certs.ChallengeDNS01, certs.ChallengeDNSAccount01:
			err = p.req.DNS01.CleanUp(cctx, at.record)
		}
		if err != nil {
			i.log.WarnContext(ctx, "acme: challenge clean-up failed", "domain", at.target, "challenge", p.challenge, "error", err)
		}
	}
}
