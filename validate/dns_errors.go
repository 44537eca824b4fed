package validate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Errors of DNS lookups. A *LookupError wraps one of the first four, so
// errors.Is tells SERVFAIL, NXDOMAIN, timeouts and refusals apart.
var (
	ErrServFail   = errors.New("validate: DNS server failure (SERVFAIL)")
	ErrNXDomain   = errors.New("validate: DNS name does not exist (NXDOMAIN)")
	ErrDNSTimeout = errors.New("validate: DNS query timed out")
	ErrDNSRefused = errors.New("validate: DNS query refused (REFUSED)")
	// ErrDNSFailure is any other failed answer or transport error.
	ErrDNSFailure = errors.New("validate: DNS query failed")
	// ErrCNAMELoop is reported when a CNAME chain returns to a name it
	// already passed.
	ErrCNAMELoop = errors.New("validate: CNAME chain loops")
	// ErrCNAMEChainTooLong is reported when a CNAME chain is longer than
	// CheckOptions.MaxCNAMEChain.
	ErrCNAMEChainTooLong = errors.New("validate: CNAME chain is too long")
	// ErrNoResolvers is returned by Check when CheckOptions.Resolvers is empty.
	ErrNoResolvers = errors.New("validate: no DNS resolvers configured; set CheckOptions.Resolvers to recursive resolvers (host:port)")
	// ErrZoneNotFound is reported when no SOA encloses a name.
	ErrZoneNotFound = errors.New("validate: no DNS zone (SOA) encloses the name")
	// ErrInvalidCAA is wrapped by ParseCAA's errors.
	ErrInvalidCAA = errors.New("validate: malformed CAA value")
	// ErrInvalidTXT is wrapped by ParseTXT's errors.
	ErrInvalidTXT = errors.New("validate: malformed TXT string")
	// ErrInvalidPersistTXT is wrapped by ParsePersistValue's errors.
	ErrInvalidPersistTXT = errors.New("validate: malformed dns-persist-01 record")
)

// LookupError is a DNS query that got no usable answer.
type LookupError struct {
	// Name is the queried name (no trailing dot) and Type its type ("A").
	Name, Type string
	// Server is the last server asked (host:port).
	Server string
	// Err is ErrServFail, ErrNXDomain, ErrDNSTimeout, ErrDNSRefused,
	// ErrDNSFailure, ErrCNAMELoop or ErrCNAMEChainTooLong.
	Err error
	// Detail adds context (the chain of a loop, a transport error).
	Detail string
}

// Error implements the error interface.
func (e *LookupError) Error() string {
	msg := "validate: look up " + e.Type + " " + e.Name
	if e.Server != "" {
		msg += " at " + e.Server
	}
	msg += ": " + lookupProblem(e.Err)
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap returns the sentinel.
func (e *LookupError) Unwrap() error { return e.Err }

// lookupProblem says what a lookup sentinel means and what to do.
func lookupProblem(err error) string {
	switch {
	case errors.Is(err, ErrServFail):
		return "the nameserver answered SERVFAIL (server failure); check that your DNS provider serves the zone and that its DNSSEC signatures are valid"
	case errors.Is(err, ErrNXDomain):
		return "the name does not exist (NXDOMAIN)"
	case errors.Is(err, ErrDNSTimeout):
		return "no answer before the timeout; check that the zone's nameservers are reachable"
	case errors.Is(err, ErrDNSRefused):
		return "the nameserver refused the query (REFUSED); check that the zone's NS records name servers that serve it"
	case errors.Is(err, ErrCNAMELoop):
		return "the CNAME chain loops; point one of its CNAME records at a name that resolves"
	case errors.Is(err, ErrCNAMEChainTooLong):
		return "the CNAME chain is too long; point the CNAME record closer to its final target"
	case errors.Is(err, ErrZoneNotFound):
		return "no zone (SOA record) encloses the name; check that the domain is registered and delegated"
	case err != nil:
		return strings.TrimPrefix(err.Error(), "validate: ")
	}
	return "unknown error"
}

// rcodeError maps a response code to a sentinel, or nil for NOERROR.
// NXDOMAIN is not an error for lookups; callers decide.
func rcodeError(rcode int) error {
	switch rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		return nil
	case dns.RcodeServerFailure:
		return ErrServFail
	case dns.RcodeRefused, dns.RcodeNotAuth:
		return ErrDNSRefused
	}
	return fmt.Errorf("%w: response code %s", ErrDNSFailure, dns.RcodeToString[rcode])
}
