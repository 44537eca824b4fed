package rfc2136

import (
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// Errors of the provider. An *UpdateError wraps ErrRefused, ErrNotAuth,
// ErrBadTSIG, ErrNotZone or ErrUpdateFailed.
var (
	ErrConfig       = errors.New("dnsprovider: rfc2136: invalid config")
	ErrRefused      = errors.New("dnsprovider: rfc2136: the server refused the update (REFUSED); allow this TSIG key to update the zone (BIND: update-policy or allow-update)")
	ErrNotAuth      = errors.New("dnsprovider: rfc2136: the server is not authoritative for the zone (NOTAUTH); set Nameserver to the zone's primary server and Zone to the zone's apex")
	ErrBadTSIG      = errors.New("dnsprovider: rfc2136: TSIG authentication failed; check that TSIGKeyName, TSIGSecret and TSIGAlgorithm match the server's key and that both clocks are right")
	ErrNotZone      = errors.New("dnsprovider: rfc2136: the record is outside the zone (NOTZONE); set Zone to a zone that contains the record")
	ErrUpdateFailed = errors.New("dnsprovider: rfc2136: the update failed")
	ErrZoneNotFound = errors.New("dnsprovider: rfc2136: no zone (SOA) found for the record at the nameserver; set Config.Zone")
	// ErrDelegated matches every *DelegationError.
	ErrDelegated = errors.New("dnsprovider: rfc2136: the record is in a child zone that Nameserver delegates to other servers")
)

// DelegationError reports a record in a child zone that Nameserver
// delegates to other servers (it answered with a referral), whose update
// at the child zone's primary could not be made. Sent to Nameserver, the
// record would sit in the parent zone below the delegation, never seen.
type DelegationError struct {
	// Name is the TXT record; Zone the child zone; NS its nameservers
	// and Servers their addresses ("host:port", from the referral's glue).
	Name, Zone  string
	NS, Servers []string
	// Primary is the child zone's primary the update went to ("" when
	// none was found); Err why the update there failed (an *UpdateError
	// with its sentinel, or a lookup error).
	Primary string
	Err     error

	addrs map[string][]string
}

// Error implements the error interface.
func (e *DelegationError) Error() string {
	where := e.Primary
	if where == "" {
		where = "its primary"
	}
	return fmt.Sprintf("dnsprovider: rfc2136: TXT %s is in zone %s, delegated to %s (%s), and the update at %s failed: %v; "+
		"set Nameserver to the primary of %s and use a TSIG key that it accepts",
		e.Name, strings.TrimSuffix(e.Zone, "."), strings.Join(e.NS, ", "), strings.Join(e.Servers, ", "), where, e.Err,
		strings.TrimSuffix(e.Zone, "."))
}

// Unwrap returns ErrDelegated and the cause, so that errors.Is finds
// both (ErrDelegated and ErrBadTSIG, for example).
func (e *DelegationError) Unwrap() []error { return []error{ErrDelegated, e.Err} }

// UpdateError is a failed dynamic update.
type UpdateError struct {
	// Op is "present" or "cleanup"; Name the TXT record; Zone the zone
	// updated; Server the nameserver.
	Op, Name, Zone, Server string
	// Rcode is the response code (-1 without a response); TSIGError the
	// TSIG error code (BADSIG, BADKEY, BADTIME) or 0.
	Rcode     int
	TSIGError uint16
	// Err is the sentinel, possibly joined with a transport error.
	Err error
}

// Error implements the error interface.
func (e *UpdateError) Error() string {
	msg := fmt.Sprintf("dnsprovider: rfc2136: %s TXT %s in zone %s at %s", e.Op, e.Name, e.Zone, e.Server)
	if e.Rcode >= 0 {
		msg += " (" + dns.RcodeToString[e.Rcode]
		if e.TSIGError != 0 {
			msg += ", TSIG " + dns.RcodeToString[int(e.TSIGError)]
		}
		msg += ")"
	}
	return msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *UpdateError) Unwrap() error { return e.Err }

// classify fills e.Err from the response code and TSIG error.
func (e *UpdateError) classify() {
	switch {
	case e.TSIGError != 0:
		e.Err = ErrBadTSIG
	case e.Rcode == dns.RcodeRefused:
		e.Err = ErrRefused
	case e.Rcode == dns.RcodeNotAuth:
		e.Err = ErrNotAuth
	case e.Rcode == dns.RcodeNotZone:
		e.Err = ErrNotZone
	default:
		e.Err = ErrUpdateFailed
	}
}
