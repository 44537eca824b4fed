package rfc2136

import (
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/certs-dev/certs/dnsprovider/internal/redact"
)

// Defaults for the zero values of Config.
const (
	DefaultTSIGAlgorithm = dns.HmacSHA256
	DefaultTTL           = 60
	DefaultTimeout       = 10 * time.Second
)

// Config configures a Provider. TSIGSecret is a secret: Config's String,
// Format, JSON and slog forms redact it.
type Config struct {
	// Nameserver is the primary server that accepts updates ("host:port";
	// the port defaults to 53).
	Nameserver string
	// TSIGKeyName, TSIGSecret (base64) and TSIGAlgorithm ("hmac-sha256."
	// by default) sign the updates. With no key name and no secret the
	// updates are unsigned, for servers that allow updates by address.
	TSIGKeyName   string
	TSIGSecret    string
	TSIGAlgorithm string
	// TTL of the TXT records in seconds; zero means DefaultTTL.
	TTL uint32
	// Zone to update; empty means the zone of each record, found by
	// asking Nameserver for SOA records. When Nameserver delegates the
	// record's zone to other servers (it answers with a referral), the
	// update goes to that child zone's primary (its SOA MNAME, at the
	// address of the referral's glue and Nameserver's port), signed with
	// the same key; a failure there is a *DelegationError naming the child
	// zone and its servers. An update sent to the parent would be hidden
	// below the delegation.
	Zone string
	// Timeout bounds each exchange with the server; zero means DefaultTimeout.
	Timeout time.Duration
}

// String describes the configuration without the secret.
func (c Config) String() string {
	return redact.String("rfc2136.Config",
		redact.Field{Name: "Nameserver", Value: c.Nameserver},
		redact.Field{Name: "TSIGKeyName", Value: c.TSIGKeyName},
		redact.Field{Name: "TSIGSecret", Value: c.TSIGSecret, Secret: true},
		redact.Field{Name: "TSIGAlgorithm", Value: c.TSIGAlgorithm},
		redact.Field{Name: "TTL", Value: strconv.Itoa(int(c.TTL))},
		redact.Field{Name: "Zone", Value: c.Zone},
		redact.Field{Name: "Timeout", Value: c.Timeout.String()})
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Config) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// MarshalJSON encodes String: the secret never leaves the process as JSON.
func (c Config) MarshalJSON() ([]byte, error) { return redact.JSON(c.String()), nil }

// LogValue logs String.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// normalize checks c and fills in its defaults.
func (c Config) normalize() (Config, error) {
	if c.Nameserver == "" {
		return c, fmt.Errorf("%w: Nameserver is empty; set it to the primary server's host:port", ErrConfig)
	}
	if _, _, err := net.SplitHostPort(c.Nameserver); err != nil {
		c.Nameserver = net.JoinHostPort(c.Nameserver, "53")
	}
	if (c.TSIGKeyName == "") != (c.TSIGSecret == "") {
		return c, fmt.Errorf("%w: set both TSIGKeyName and TSIGSecret, or neither for unsigned updates", ErrConfig)
	}
	if c.TSIGSecret != "" {
		if _, err := base64.StdEncoding.DecodeString(c.TSIGSecret); err != nil {
			return c, fmt.Errorf("%w: TSIGSecret is not valid base64; copy the secret from the server's key file", ErrConfig)
		}
	}
	if c.TSIGKeyName != "" {
		c.TSIGKeyName = dns.CanonicalName(c.TSIGKeyName)
	}
	if c.TSIGAlgorithm == "" {
		c.TSIGAlgorithm = DefaultTSIGAlgorithm
	}
	c.TSIGAlgorithm = dns.CanonicalName(c.TSIGAlgorithm)
	switch c.TSIGAlgorithm {
	case dns.HmacSHA1, dns.HmacSHA224, dns.HmacSHA256, dns.HmacSHA384, dns.HmacSHA512:
	default:
		return c, fmt.Errorf("%w: TSIGAlgorithm %q is not supported; use hmac-sha256, hmac-sha512, hmac-sha384, hmac-sha224 or hmac-sha1",
			ErrConfig, strings.TrimSuffix(c.TSIGAlgorithm, "."))
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.Zone != "" {
		c.Zone = dns.CanonicalName(c.Zone)
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c, nil
}
