package validate

import (
	"fmt"
	"net"

	"github.com/miekg/dns"
)

// DefaultResolvConf is the file SystemResolvers reads when given no path.
const DefaultResolvConf = "/etc/resolv.conf"

// SystemResolvers returns the nameservers of a resolv.conf file ("" means
// DefaultResolvConf) as "host:port", for ResolverOptions.Resolvers and
// CheckOptions.Resolvers. It reads the file each time it is called;
// callers read it once and keep the result. A file that cannot be read
// or names no nameserver gives an error wrapping ErrNoResolvers.
func SystemResolvers(path string) ([]string, error) {
	if path == "" {
		path = DefaultResolvConf
	}
	conf, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (reading %s: %v)", ErrNoResolvers, path, err)
	}
	if len(conf.Servers) == 0 {
		return nil, fmt.Errorf("%w (%s names no nameserver)", ErrNoResolvers, path)
	}
	out := make([]string, 0, len(conf.Servers))
	for _, s := range conf.Servers {
		out = append(out, net.JoinHostPort(s, conf.Port))
	}
	return out, nil
}
