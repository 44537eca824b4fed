package validate

import (
	"net"
	"slices"
	"time"
)

// Defaults for the zero values of CheckOptions.
const (
	DefaultDNSTimeout     = 2 * time.Second
	DefaultDNSRetries     = 1
	DefaultMaxCNAMEChain  = 8
	DefaultNameserverPort = "53"
	// DefaultCAIdentity is the CA checked against CAA records when
	// CheckOptions.CAIdentities is empty.
	DefaultCAIdentity = "letsencrypt.org"
)

// CheckOptions tune Check. Resolvers is required; every other zero value
// has a documented default.
type CheckOptions struct {
	// Resolvers are recursive resolvers ("host:port") used to find zones
	// and their nameservers, and asked when the authoritative servers
	// fail. Required.
	Resolvers []string
	// NameserverPort is the port of the authoritative nameservers; empty
	// means "53". Tests set it to a loopback server's port.
	NameserverPort string
	// Timeout bounds each query; zero means DefaultDNSTimeout.
	Timeout time.Duration
	// Retries is how often a server that timed out is asked again; zero
	// means DefaultDNSRetries and a negative value means never.
	Retries int
	// MaxCNAMEChain bounds the CNAMEs followed; zero means DefaultMaxCNAMEChain.
	MaxCNAMEChain int
	// CAIdentities are the CAs' CAA domains ("letsencrypt.org"); empty
	// means DefaultCAIdentity.
	CAIdentities []string
	// ExpectedAddresses are the addresses at which HTTP-01 and TLS-ALPN-01
	// reach the platform; empty means the requirements' A and AAAA.
	ExpectedAddresses []string
}

// withDefaults returns o with its zero values replaced by the defaults.
func (o CheckOptions) withDefaults() CheckOptions {
	if o.NameserverPort == "" {
		o.NameserverPort = DefaultNameserverPort
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultDNSTimeout
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultDNSRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.MaxCNAMEChain <= 0 {
		o.MaxCNAMEChain = DefaultMaxCNAMEChain
	}
	if len(o.CAIdentities) == 0 {
		o.CAIdentities = []string{DefaultCAIdentity}
	}
	o.Resolvers = slices.Clone(o.Resolvers)
	for i, r := range o.Resolvers {
		if _, _, err := net.SplitHostPort(r); err != nil {
			o.Resolvers[i] = net.JoinHostPort(r, "53")
		}
	}
	return o
}
