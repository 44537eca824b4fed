package acme

import (
	"context"
	"fmt"
	"strings"
	"time"

	legoacme "github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"

	"github.com/certs-dev/certs"
)

// A challenge that the CA still shows as pending (not processing) this long
// after our last POST is POSTed again: some CAs start validating only on a
// POST they did not lose. The wait doubles with every POST, and a challenge
// is POSTed at most maxChallengePosts times in all.
const (
	repostAfter       = 2 * time.Second
	maxChallengePosts = 4
)

// repostAt is when a challenge POSTed posts times, the last one at posted,
// is to be POSTed again if it is still pending; false when it is not to be
// POSTed again.
func repostAt(posts int, posted time.Time) (time.Time, bool) {
	if posts < 1 || posts >= maxChallengePosts {
		return time.Time{}, false
	}
	return posted.Add(repostAfter << (posts - 1)), true
}

// repostDue reports whether at's challenge, if pending, is to be POSTed
// again now.
func repostDue(at *attempt) bool {
	t, ok := repostAt(at.posts, at.posted)
	return ok && !time.Now().Before(t)
}

// nextRepost is the earliest time a challenge of pending that the CA showed
// as pending is to be POSTed again; zero when none is.
func nextRepost(pending []*attempt) time.Time {
	var next time.Time
	for _, at := range pending {
		if at.status != legoacme.StatusPending {
			continue
		}
		if t, ok := repostAt(at.posts, at.posted); ok && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// validate asks the CA to validate every attempt and polls the
// authorizations until none is pending. Our challenge is looked at on every
// poll: once the CA marks it invalid the attempt fails with the CA's
// problem, even if the authorization stays pending; while it stays pending
// it is POSTed again when due (see repostAt; a poll is timed for then).
// When the CA has not finished within the validation timeout, the error is
// a *certs.ValidationError with TimedOut set. A done ctx ends the wait at
// once, with ctx's error.
func (i *Issuer) validate(ctx context.Context, s *session, p *plan, attempts []*attempt) ([]certs.ChallengeProblem, error) {
	poll := newPoller(100*time.Millisecond, 5*time.Second)
	for _, at := range attempts {
		if err := i.post(ctx, s, p, at, poll); err != nil {
			return nil, err
		}
	}
	vctx, cancel := context.WithTimeout(ctx, i.validation)
	defer cancel()
	var problems []certs.ChallengeProblem
	// The first poll is immediate: a fast CA has already finished.
	for pending, first := attempts, true; len(pending) > 0; first = false {
		poll.notAfter(nextRepost(pending))
		if err := poll.waitUnless(vctx, first); err != nil {
			if ctx.Err() != nil {
				return nil, caError(ctx, "wait for validation", ctx.Err())
			}
			return nil, i.timedOut(p, problems, pending)
		}
		next := make([]*attempt, 0, len(pending)) // not pending[:0]: attempts is still needed for clean-up
		for _, at := range pending {
			done, problem, err := i.check(ctx, s, p, at, poll)
			if err != nil {
				return nil, err
			}
			if problem != nil {
				problems = append(problems, *problem)
			}
			if !done {
				next = append(next, at)
			}
		}
		pending = next
	}
	return problems, nil
}

// post asks the CA to validate at's challenge and honours its Retry-After.
func (i *Issuer) post(ctx context.Context, s *session, p *plan, at *attempt, poll *poller) error {
	at.posted = time.Now()
	at.posts++
	ch, err := s.core.Challenges.New(at.chal.URL)
	if err != nil {
		return caError(ctx, fmt.Sprintf("start %s challenge for %s", p.challenge, at.target), err)
	}
	at.status = ch.Status
	if d, err := api.ParseRetryAfter(ch.RetryAfter); err == nil && d > 0 {
		poll.retryAfter(d)
	}
	poll.reset()
	return nil
}

// check polls at's authorization once and reports whether at is done and,
// if it failed, its problem. A challenge left pending is POSTed again when
// it is due (see repostAt).
func (i *Issuer) check(ctx context.Context, s *session, p *plan, at *attempt, poll *poller) (bool, *certs.ChallengeProblem, error) {
	a, err := s.core.Authorizations.Get(at.authz.url)
	if err != nil {
		return false, nil, caError(ctx, "get authorization", err)
	}
	at.authz.Status = a.Status
	ch, found := ourChallenge(a, at.chal.URL)
	if found {
		at.status = ch.Status
	}
	switch a.Status {
	case legoacme.StatusValid:
		i.log.DebugContext(ctx, "acme: authorization valid", "domain", at.target, "challenge", p.challenge)
		return true, nil, nil
	case legoacme.StatusPending, legoacme.StatusProcessing:
	default:
		problem := failedProblem(p.challenge, at, a)
		return true, &problem, nil
	}
	switch {
	case found && ch.Status == legoacme.StatusInvalid:
		i.log.DebugContext(ctx, "acme: challenge invalid, authorization still "+a.Status, "domain", at.target, "challenge", p.challenge)
		problem := invalidProblem(p.challenge, at, ch)
		return true, &problem, nil
	case found && ch.Status == legoacme.StatusPending && repostDue(at):
		return false, nil, i.repost(ctx, s, p, at, poll)
	}
	return false, nil, nil
}

// repost POSTs a challenge that the CA left pending again. A refusal by the
// CA (it may have started meanwhile) is logged and polling goes on; only a
// done ctx ends the wait.
func (i *Issuer) repost(ctx context.Context, s *session, p *plan, at *attempt, poll *poller) error {
	i.log.InfoContext(ctx, "acme: the CA has not started validating; asking again",
		"domain", at.target, "challenge", p.challenge, "post", at.posts+1, "since", time.Since(at.posted).Round(time.Millisecond))
	err := i.post(ctx, s, p, at, poll)
	if err == nil || ctx.Err() != nil {
		return err
	}
	i.log.WarnContext(ctx, "acme: asking the CA again to validate failed; still polling", "domain", at.target, "error", err)
	return nil
}

// ourChallenge finds the challenge with URL u in a.
func ourChallenge(a legoacme.Authorization, u string) (legoacme.Challenge, bool) {
	for _, ch := range a.Challenges {
		if ch.URL == u {
			return ch, true
		}
	}
	return legoacme.Challenge{}, false
}

// timedOut is the error for attempts the CA had not finished validating
// within the validation timeout: a *certs.ValidationError with TimedOut
// set, holding the problems already known and one per pending attempt.
func (i *Issuer) timedOut(p *plan, problems []certs.ChallengeProblem, pending []*attempt) error {
	for _, at := range pending {
		problems = append(problems, timeoutProblem(p.challenge, at, i.validation))
	}
	return fmt.Errorf("acme: order for %s: %w", strings.Join(p.names, ", "),
		&certs.ValidationError{Problems: problems, TimedOut: true})
}
