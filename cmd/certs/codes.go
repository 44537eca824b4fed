package main

import (
	"errors"
	"slices"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/api"
)

// problemCode is the API's stable problem code for err ("key_mismatch",
// "not_found", ...), or "" when none names it, so that a script sees the
// same codes whether the CLI works on a local store or on a server.
// Remote errors carry their code; for local ones, the error tree is walked
// and each error asked of every code's Problem (which errors.Is matches
// against the root's sentinels), so the mapping stays the API's own.
func problemCode(err error) string {
	var p *api.Problem
	if errors.As(err, &p) {
		return p.Code
	}
	for _, t := range typedCodes {
		if errors.Is(err, t.err) {
			return t.code
		}
	}
	codes := api.ProblemCodes()
	var found string
	walkErrors(err, func(e error) bool {
		for _, c := range codes {
			if (&api.Problem{Code: c}).Is(e) {
				found = c
				return true
			}
		}
		// The custom and validate packages each declare some conditions
		// ("key_mismatch", "chain_too_long"); the root re-exports one.
		if cond, ok := e.(interface{ Condition() string }); ok && slices.Contains(codes, cond.Condition()) {
			found = cond.Condition()
			return true
		}
		return false
	})
	return found
}

// typedCodes are the codes of the typed errors that match their sentinel
// through an Is method (the walk of problemCode compares values).
var typedCodes = []struct {
	err  error
	code string
}{
	{certs.ErrValidationTimeout, "validation_timeout"},
	{certs.ErrValidationFailed, "validation_failed"},
	{certs.ErrRateLimited, "rate_limited"},
	{certs.ErrNameConflict, "name_conflict"},
}

// walkErrors calls visit on err and the errors it wraps, depth first, until
// visit returns true.
func walkErrors(err error, visit func(error) bool) bool {
	if err == nil {
		return false
	}
	if visit(err) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return walkErrors(u.Unwrap(), visit)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if walkErrors(e, visit) {
				return true
			}
		}
	}
	return false
}
