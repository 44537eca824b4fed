package autotls

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/certs-dev/certs"
	"github.com/certs-dev/certs/acme"
	"github.com/certs-dev/certs/store"
)

// Default addresses and timeouts.
const (
	// DefaultHTTPSAddr is where HTTPS is served unless Config says otherwise.
	DefaultHTTPSAddr = ":443"
	// DefaultHTTPAddr is where the ACME HTTP-01 challenge and the redirect
	// to https are served unless Config says otherwise.
	DefaultHTTPAddr = ":80"
	// DefaultShutdownTimeout bounds a graceful shutdown unless Config says
	// otherwise.
	DefaultShutdownTimeout = 10 * time.Second
)

// Config configures Serve, Listen and New. The zero value is the
// production set-up of Serve: Let's Encrypt, the filesystem Store under
// store.DefaultDir(), :443 and :80, slog.Default().
//
// Whichever CA is used, its terms of service are agreed to on your behalf
// (see the package documentation).
type Config struct {
	// Email is the contact address of the ACME account, for the CA's
	// warnings about your certificates. Empty registers an account
	// without contact.
	Email string
	// Staging uses Let's Encrypt's staging CA: generous rate limits,
	// certificates that browsers do not trust. Use it for trials.
	Staging bool
	// DirectoryURL is the ACME directory of another CA (https). Empty
	// means Let's Encrypt (production, or staging with Staging).
	DirectoryURL string
	// HTTPClient talks to the CA (proxies, private roots). Nil means a
	// client on http.DefaultTransport with a 1-minute timeout.
	HTTPClient *http.Client
	// Issuer, when set, is used as is instead of an ACME issuer built from
	// Email, Staging, DirectoryURL and HTTPClient (which must then be
	// empty): for External Account Binding, profiles or private roots,
	// build one with acme.New (its terms of service are then yours to
	// agree to, with acme.Config.AgreeTOS).
	Issuer certs.Issuer

	// Store keeps certificates and the ACME account. Nil means the
	// filesystem under store.DefaultDir() ($XDG_DATA_HOME/certs, else
	// ~/.local/share/certs).
	Store certs.Store
	// EncryptionKey, when set, seals private keys at rest (see
	// certs.Config.EncryptionKey).
	EncryptionKey *store.Key
	// OnDemand, when set, obtains certificates during handshakes for names
	// its Decide policy allows, besides the names given (see
	// certs.OnDemandConfig). With it, no names need be given.
	OnDemand *certs.OnDemandConfig
	// Logger receives the logs. Nil means slog.Default(). TLS handshake
	// errors (scanners, clients arriving before a certificate) are logged
	// at debug level.
	Logger *slog.Logger

	// HTTPSAddr is where HTTPS is served; empty means DefaultHTTPSAddr.
	HTTPSAddr string
	// HTTPAddr is where the ACME HTTP-01 challenge is answered and every
	// other request redirected to https; empty means DefaultHTTPAddr. The
	// redirect goes to the default https port (443) of the same host.
	HTTPAddr string
	// HTTPSListener and HTTPListener, when set, are used instead of
	// listening on HTTPSAddr and HTTPAddr (which must then be empty): for
	// socket activation and tests. They are plain TCP listeners (TLS is
	// added), and Serve and Listen close them once they are done with
	// them, or when they fail.
	HTTPSListener, HTTPListener net.Listener
	// DisableHTTP serves nothing on port 80: certificates are then
	// obtained with the TLS-ALPN-01 challenge on the HTTPS listener, and
	// nothing redirects http to https. Turning it on or off orders new
	// certificates for the names at the next start, so that their
	// renewals use a challenge that reaches this server.
	DisableHTTP bool
	// ShutdownTimeout bounds the graceful shutdown after ctx is cancelled:
	// requests in flight may finish until then, and are cut off after.
	// Zero means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
}

// check refuses a Config that contradicts itself.
func (c *Config) check() error {
	switch {
	case c.HTTPSAddr != "" && c.HTTPSListener != nil:
		return invalid("set HTTPSAddr or HTTPSListener, not both")
	case c.HTTPAddr != "" && c.HTTPListener != nil:
		return invalid("set HTTPAddr or HTTPListener, not both")
	case c.DisableHTTP && (c.HTTPAddr != "" || c.HTTPListener != nil):
		return invalid("DisableHTTP serves nothing on port 80; leave HTTPAddr and HTTPListener empty, or turn DisableHTTP off")
	case c.Issuer != nil && (c.Email != "" || c.Staging || c.DirectoryURL != "" || c.HTTPClient != nil):
		return invalid("Issuer replaces Email, Staging, DirectoryURL and HTTPClient; set those in the Issuer's own config (acme.Config)")
	case c.ShutdownTimeout < 0:
		return invalid("ShutdownTimeout is negative; use a positive duration, or zero for 10 seconds")
	}
	return nil
}

func invalid(msg string) error {
	return fmt.Errorf("autotls: %w: %s", certs.ErrInvalidConfig, msg)
}

// logger returns the Logger, or slog.Default().
func (c *Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.Default()
	}
	return c.Logger
}

// challenge is the challenge orders use: HTTP-01 when port 80 is served,
// else TLS-ALPN-01 on the HTTPS listener.
func (c *Config) challenge() certs.ChallengeType {
	if c.DisableHTTP {
		return certs.ChallengeTLSALPN01
	}
	return certs.ChallengeHTTP01
}

// newManager builds the Issuer (unless given) and the Manager, which loads
// what the Store holds.
func (c *Config) newManager(ctx context.Context) (*certs.Manager, error) {
	iss := c.Issuer
	if iss == nil {
		a, err := acme.New(acme.Config{
			DirectoryURL: c.DirectoryURL, Staging: c.Staging, Email: c.Email,
			AgreeTOS: true, HTTPClient: c.HTTPClient, Logger: c.logger(),
			DefaultChallenge: c.challenge(),
		})
		if err != nil {
			return nil, fmt.Errorf("autotls: %w", err)
		}
		iss = a
	}
	m, err := certs.NewContext(ctx, certs.Config{
		Store: c.Store, EncryptionKey: c.EncryptionKey, Issuer: iss,
		OnDemand: c.OnDemand, Logger: c.logger(),
	})
	if err != nil {
		return nil, fmt.Errorf("autotls: %w", err)
	}
	return m, nil
}

// normalizeNames normalizes names, drops duplicates, and refuses what
// cannot get a certificate over HTTP-01 or TLS-ALPN-01.
func normalizeNames(names []string, onDemand bool) ([]string, error) {
	if len(names) == 0 && !onDemand {
		return nil, ErrNoNames
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		h, err := certs.NormalizeHostname(n)
		if err != nil {
			return nil, fmt.Errorf("autotls: %w", err)
		}
		if h[0] == '*' {
			return nil, fmt.Errorf("autotls: %s: %w; autotls uses HTTP-01 and TLS-ALPN-01, so give the names one by one, or use a certs.Manager with a DNS provider", h, certs.ErrWildcardNeedsDNS01)
		}
		if !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out, nil
}
